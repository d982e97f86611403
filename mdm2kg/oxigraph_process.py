"""The Oxigraph server process: its binary, its ports, and how it is started, watched and stopped.

Used by `mdm2kg.server`; kept apart so the server module holds only the server's life cycle.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from mdm2kg.errors import Mdm2kgError, UsageError

DEFAULT_HOST = "127.0.0.1"


class ServerError(Mdm2kgError):
    """The Oxigraph server could not be started or stopped unexpectedly."""


class PortInUseError(ServerError, UsageError):
    """Something already listens on the requested host and port."""


class OxigraphMissingError(ServerError, UsageError):
    """The `oxigraph` server binary is not installed."""


# ----------------------------------------------------------------------------- ports and binary


def _bind_address(host: str, port: int) -> tuple[socket.AddressFamily, tuple[Any, ...]]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not infos:  # pragma: no cover - getaddrinfo raises instead
        raise UsageError(f"cannot resolve host {host!r}")
    family, _, _, _, address = infos[0]
    return family, address


def check_port(host: str, port: int) -> None:
    """Raise PortInUseError when `host:port` cannot be bound (as the server would bind it)."""
    try:
        family, address = _bind_address(host, port)
    except socket.gaierror as exc:
        raise UsageError(f"cannot resolve host {host!r}: {exc}") from None
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # the server sets SO_REUSEADDR too, so a recently closed port is not "taken"
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise PortInUseError(f"port {port} on {host} is already in use ({exc.strerror}); "
                                 "choose another with --port") from None


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host:port` (0 picks a free port); PortInUseError when taken."""
    try:
        family, address = _bind_address(host, port)
    except socket.gaierror as exc:
        raise UsageError(f"cannot resolve host {host!r}: {exc}") from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise PortInUseError(f"port {port} on {host} is already in use ({exc.strerror}); "
                             "choose another with --port") from None
    return sock


def free_port(host: str = DEFAULT_HOST) -> int:
    """A port on `host` that nothing listens on right now."""
    family, address = _bind_address(host, 0)
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind(address)
        return int(sock.getsockname()[1])


def oxigraph_binary() -> Path:
    """The `oxigraph` server binary: $MDM2KG_OXIGRAPH, beside this Python, or on PATH."""
    env = os.environ.get("MDM2KG_OXIGRAPH")
    if env:
        path = Path(env)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise OxigraphMissingError(f"MDM2KG_OXIGRAPH={env} is not an executable file")
    beside = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if beside.is_file():
        return beside
    import shutil  # only here: it costs `serve` a few ms of its start

    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise OxigraphMissingError("the oxigraph server binary is not installed: pip install 'mdm2kg[server]' "
                               "(or pip install oxigraph)")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: have the kernel send SIGTERM to the server if its parent dies."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _terminate(process: subprocess.Popen[bytes], timeout: float) -> int:
    """SIGTERM, then SIGKILL after `timeout`; reap and return the status."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of process `pid` so far (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _cpu_share(pid: int, seconds: float = 1.0) -> float | None:
    """Share of one core process `pid` used over the next `seconds` (None where unknown)."""
    before = _cpu_seconds(pid)
    time.sleep(seconds)
    after = _cpu_seconds(pid)
    return None if before is None or after is None else (after - before) / seconds


def _log_event(message: str) -> None:
    import logging

    logging.getLogger("mdm2kg.server").warning("%s", message)


def _answers(host: str, port: int) -> bool:
    """True when an HTTP server answers on host:port (below 500). A bare socket, not http.client,
    whose import (with the email package) costs `serve` about 30 ms of its start."""
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            sock.sendall(f"GET / HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode("ascii"))
            head = b""
            while b"\r\n" not in head and len(head) < 1024:
                data = sock.recv(1024)
                if not data:
                    break
                head += data
    except OSError:
        return False
    parts = head.split(b" ", 2)
    return len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit() and int(parts[1]) < 500


def _first_lines(text: str, n: int = 3) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip() and not line.startswith(" ")]
    return " / ".join(lines[:n]) or "(no output)"
