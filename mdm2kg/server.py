"""The Oxigraph SPARQL server over a built graph's on-disk store, behind mdm2kg's gateway.

The server is the ``oxigraph`` binary from the PyPI ``oxigraph`` package, started
read-only by default, bound to loopback by default, and stopped by the process id this
module started (it also dies with its parent on Linux). Queries are bounded in time
(Oxigraph's ``--timeout-s``; 30 s by default), and cross-origin requests are refused
unless ``cors=True``.

By default the public port belongs to the gateway (`mdm2kg.gateway`), which refuses other
``Host`` names (DNS rebinding) and SERVICE clauses (unless ``allow_service``) and forwards
everything else to Oxigraph on a private loopback port.

>>> from mdm2kg.artifact.graph import KnowledgeGraph  # doctest: +SKIP
>>> with OxigraphServer(ensure_store(KnowledgeGraph.build()), port=0) as server:  # doctest: +SKIP
...     print(server.query_url)
http://127.0.0.1:41235/query
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

from mdm2kg.errors import Mdm2kgError, UsageError

if TYPE_CHECKING:
    from mdm2kg.gateway import Gateway

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_QUERY_TIMEOUT = 30
"""Seconds a query may run on `mdm2kg serve` (Oxigraph's --timeout-s)."""


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


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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


# ----------------------------------------------------------------------------- server


class OxigraphServer:
    """An ``oxigraph serve-read-only`` (or ``serve``) process over a store directory, behind the gateway.

    Use as a context manager, or call `start()` and `stop()`; the process is always
    stopped by the id this object started. `guard=False` exposes Oxigraph itself on the
    port (no Host check, SERVICE allowed): for tests and trusted tools only.
    """

    def __init__(self, location: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, read_only: bool = True,
                 binary: Path | None = None, extra_args: Sequence[str] = (), guard: bool = True,
                 allow_service: bool = False, allowed_hosts: Sequence[str] = (),
                 query_timeout: int | None = DEFAULT_QUERY_TIMEOUT, cors: bool = False,
                 listener: socket.socket | None = None) -> None:
        self.location = Path(location)
        self.host = host
        self.port = port
        self.read_only = read_only
        self.binary = binary
        self.extra_args = tuple(extra_args)
        self.guard = guard
        self.allow_service = allow_service
        self.allowed_hosts = tuple(allowed_hosts)
        self.query_timeout = query_timeout
        self.cors = cors
        self._listener = listener  # a socket already listening on host:port (see `listen`), used by the gateway
        if listener is not None:
            self.port = int(listener.getsockname()[1])
        self.process: subprocess.Popen[bytes] | None = None
        self.gateway: Gateway | None = None
        self._log: IO[bytes] | None = None

    @property
    def _url_host(self) -> str:
        return f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host

    @property
    def url(self) -> str:
        """Base URL; the browser query page (YASGUI) is served here."""
        return f"http://{self._url_host}:{self.port}/"

    @property
    def query_url(self) -> str:
        """SPARQL 1.1 Protocol query endpoint."""
        return self.url + "query"

    @property
    def store_url(self) -> str:
        """Graph Store HTTP Protocol endpoint (writable only when not read-only)."""
        return self.url + "store"

    @property
    def update_url(self) -> str:
        """SPARQL 1.1 Update endpoint (refuses every update when read-only)."""
        return self.url + "update"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def _command(self, binary: Path, bind: str) -> list[str]:
        command = [str(binary), "serve-read-only" if self.read_only else "serve", "--location", str(self.location),
                   "--bind", bind, *self.extra_args]
        if self.query_timeout:
            command += ["--timeout-s", str(int(self.query_timeout))]
        if self.cors:
            command.append("--cors")
        return command

    def start(self, *, timeout: float = 15.0) -> OxigraphServer:
        """Start the server and wait until it answers HTTP; raise PortInUseError or ServerError."""
        if self.process is not None:
            raise ServerError("server already started")
        binary = self.binary or oxigraph_binary()
        try:
            if self.guard:
                self._start_guarded(binary, timeout)
            else:
                if self.port == 0:
                    self.port = free_port(self.host)
                check_port(self.host, self.port)
                self._spawn(binary, f"{self._url_host}:{self.port}")
                self._wait_ready(self.host.strip("[]"), self.port, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_guarded(self, binary: Path, timeout: float) -> None:
        """Own the public port first (the gateway accepts while Oxigraph boots on a private one)."""
        from mdm2kg.gateway import Gateway, Policy

        listener, self._listener = self._listener or listen(self.host, self.port), None
        self.port = int(listener.getsockname()[1])
        backend = free_port("127.0.0.1")
        policy = Policy.for_bind(self.host, allowed_hosts=self.allowed_hosts, allow_service=self.allow_service)
        self.gateway = Gateway(listener, ("127.0.0.1", backend), policy).start()
        self._spawn(binary, f"127.0.0.1:{backend}")
        self._wait_ready("127.0.0.1", backend, timeout)
        self.gateway.backend_ready.set()

    def _spawn(self, binary: Path, bind: str) -> None:
        self._log = tempfile.TemporaryFile(prefix="mdm2kg-oxigraph-")
        self.process = subprocess.Popen(
            self._command(binary, bind), stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us, and we stop the server ourselves
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )

    def _wait_ready(self, host: str, port: int, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            code = self.process.poll()
            if code is not None:
                log = self.log()
                if "Address already in use" in log or "os error 98" in log:
                    raise PortInUseError(f"port {port} on {host} is already in use; choose another with --port")
                if "--timeout-s" in log:
                    raise ServerError("this oxigraph binary has no --timeout-s: upgrade it (pip install -U oxigraph) "
                                      "or serve without a query timeout (--timeout 0)")
                raise ServerError(f"oxigraph exited with status {code} before serving: {_first_lines(log)}")
            if _answers(host, port):
                return
            if time.monotonic() > deadline:
                raise ServerError(f"oxigraph did not answer on {self.url} within {timeout:.0f} s: {_first_lines(self.log())}")
            time.sleep(0.003)

    def log(self) -> str:
        """What the server printed so far."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def poll(self) -> int | None:
        """The exit status if the server has stopped, else None."""
        return self.process.poll() if self.process is not None else None

    def stop(self, *, timeout: float = 5.0) -> int | None:
        """Stop the gateway and the server (SIGTERM, then SIGKILL after `timeout`) and reap it; returns its status."""
        gateway, self.gateway = self.gateway, None
        if gateway is not None:
            gateway.stop()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        process, self.process = self.process, None
        code = None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            code = process.returncode
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def __enter__(self) -> OxigraphServer:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _answers(host: str, port: int) -> bool:
    """True when an HTTP server answers on host:port (below 500)."""
    connection = http.client.HTTPConnection(host, port, timeout=1.0)
    try:
        connection.request("GET", "/")
        return connection.getresponse().status < 500
    except OSError:
        return False
    finally:
        connection.close()


def _first_lines(text: str, n: int = 3) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip() and not line.startswith(" ")]
    return " / ".join(lines[:n]) or "(no output)"


class StopSignals:
    """SIGINT/SIGTERM handling for a server's whole life, installed before anything starts.

    While `starting`, a signal raises `Stopped` (so a Ctrl-C during a long build, or a
    SIGTERM right after launch, stops cleanly); afterwards it is recorded and `wait` returns.
    Previous handlers are restored on exit.
    """

    def __init__(self, signals: Sequence[signal.Signals] = (signal.SIGINT, signal.SIGTERM)) -> None:
        self.signals = tuple(signals)
        self.received: list[int] = []
        self.starting = True
        self._previous: dict[signal.Signals, Any] = {}

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if self.starting:
            raise Stopped(signum)

    def __enter__(self) -> StopSignals:
        self._previous = {sig: signal.signal(sig, self._handler) for sig in self.signals}
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._previous.items():
            signal.signal(sig, old)

    def wait(self, server: OxigraphServer) -> int:
        """Block until a signal arrives (returns it); ServerError if the server exits on its own."""
        self.starting = False
        while not self.received:
            code = server.poll()
            if code is not None:
                raise ServerError(f"oxigraph stopped unexpectedly with status {code}: {_first_lines(server.log())}")
            time.sleep(0.1)
        return self.received[0]


class Stopped(BaseException):  # like KeyboardInterrupt: no `except Exception` swallows it
    """A stop signal arrived while the server was starting."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by signal {signum}")


def serve_until_signal(server: OxigraphServer, *, signals: Sequence[signal.Signals] = (signal.SIGINT, signal.SIGTERM)) -> int:
    """Block until one of `signals` arrives, then stop `server`; returns the signal number.

    Raises ServerError if the server exits on its own. Previous handlers are restored.
    """
    try:
        with StopSignals(signals) as stops:
            return stops.wait(server)
    finally:
        server.stop()
