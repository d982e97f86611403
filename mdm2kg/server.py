"""The Oxigraph SPARQL server over a built graph's on-disk store, behind mdm2kg's gateway.

The server is the ``oxigraph`` binary from the PyPI ``oxigraph`` package, started
read-only by default, bound to loopback by default, and stopped by the process id this
module started (it also dies with its parent on Linux). Queries are bounded in time
(Oxigraph's ``--timeout-s``; 30 s by default), and cross-origin requests are refused
unless ``cors=True``.

By default the public port belongs to the gateway (`mdm2kg.gateway`), which refuses other
``Host`` names (DNS rebinding), SERVICE clauses (unless ``allow_service``) and queries over
the size and nesting limits (`mdm2kg.query.limits`), and forwards everything else to
Oxigraph on a private loopback port.

A supervisor thread watches the engine: if Oxigraph exits (a crash), or a query runs past
the timeout without an answer (the gateway cuts it off) while Oxigraph keeps a core busy,
Oxigraph is restarted on a new private port and the reason is reported (``on_event``; the
CLI prints it). More than ``MAX_RESTARTS`` restarts within ``RESTART_WINDOW`` seconds is a
failure: the server stops.

>>> from mdm2kg.artifact.graph import KnowledgeGraph  # doctest: +SKIP
>>> with OxigraphServer(ensure_store(KnowledgeGraph.build()), port=0) as server:  # doctest: +SKIP
...     print(server.query_url)
http://127.0.0.1:41235/query
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

from mdm2kg.oxigraph_process import (
    DEFAULT_HOST,
    PortInUseError,
    ServerError,
    _answers,
    _cpu_share,
    _die_with_parent,
    _first_lines,
    _log_event,
    _terminate,
    check_port,
    free_port,
    listen,
    oxigraph_binary,
)

if TYPE_CHECKING:
    from mdm2kg.gateway import Gateway

DEFAULT_PORT = 7878
DEFAULT_QUERY_TIMEOUT = 30
"""Seconds a query may run on `mdm2kg serve` (Oxigraph's --timeout-s)."""
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0
"""More than MAX_RESTARTS engine restarts within this many seconds stop the server."""
BUSY_SHARE = 0.5
"""Share of one core a cut-off engine must keep using (over one second) to be restarted."""


# ----------------------------------------------------------------------------- server


def _anonymous_file(name: str) -> IO[bytes]:
    """A read-write file with no name on disk, for Oxigraph's output: an in-memory file on Linux
    (`tempfile`, whose import costs `serve` a few ms of its start, elsewhere)."""
    if hasattr(os, "memfd_create"):
        return open(os.memfd_create(name), "w+b")
    import tempfile

    return tempfile.TemporaryFile(prefix=name)


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
                 listener: socket.socket | None = None, page: Callable[[str], bytes] | None = None,
                 on_event: Callable[[str], None] | None = None) -> None:
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
        self.page = page  # builds the query page for a Host header; served by the gateway at /
        self.on_event = on_event or _log_event
        self.process: subprocess.Popen[bytes] | None = None
        self.gateway: Gateway | None = None
        self._log: IO[bytes] | None = None
        self.restarts: list[tuple[float, str]] = []
        """(monotonic time, reason) of every engine restart."""
        self.failure: str | None = None
        self._binary: Path | None = None
        self._runaway = threading.Event()
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._swap = threading.Lock()

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
        """Own the public port first (the gateway accepts while Oxigraph boots on a private one).
        Oxigraph is spawned first, so it boots while the gateway is loaded and started."""
        listener, self._listener = self._listener or listen(self.host, self.port), None
        self.port = int(listener.getsockname()[1])
        backend = free_port("127.0.0.1")
        self._spawn(binary, f"127.0.0.1:{backend}")
        from mdm2kg.gateway import Gateway
        from mdm2kg.gateway_policy import Policy

        policy = Policy.for_bind(self.host, allowed_hosts=self.allowed_hosts, allow_service=self.allow_service)
        self.gateway = Gateway(listener, ("127.0.0.1", backend), policy, query_timeout=self.query_timeout or None,
                               on_runaway=self._runaway.set, page=self.page).start()
        self._wait_ready("127.0.0.1", backend, timeout)
        self.gateway.backend_ready.set()
        self._binary = binary
        self._supervisor = threading.Thread(target=self._supervise, name="mdm2kg-supervisor", daemon=True)
        self._supervisor.start()

    # -- the supervisor (guarded servers only)

    def _supervise(self) -> None:
        while not self._stopping.wait(0.1):
            process = self.process
            if process is None:
                return
            code = process.poll()
            if code is not None:
                how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
                self._restart(f"oxigraph {how}: {_first_lines(self.log(), 1)}")
            elif self._runaway.is_set():
                self._runaway.clear()
                share = _cpu_share(process.pid)
                if share is None or share >= BUSY_SHARE:
                    busy = "" if share is None else f" and kept {share:.0%} of a core busy"
                    self._restart(f"a query ran past the {self.query_timeout} s timeout{busy}")
            if self.failure is not None:
                return

    def _restart(self, reason: str) -> None:
        """Replace the engine with a new one on a new private port; give up after too many restarts."""
        if self._stopping.is_set():
            return
        now = time.monotonic()
        self.restarts.append((now, reason))
        recent = [t for t, _ in self.restarts if now - t < RESTART_WINDOW]
        if len(recent) > MAX_RESTARTS:
            self.failure = f"{reason}; {len(recent)} restarts within {RESTART_WINDOW:.0f} s, giving up"
            self.on_event(f"oxigraph: {self.failure}")
            return
        self.on_event(f"restarting oxigraph: {reason}")
        assert self.gateway is not None and self._binary is not None
        with self._swap:
            if self._stopping.is_set():
                return
            old = self.process
            backend = free_port("127.0.0.1")
            try:  # the new engine first: queries in flight on the old one may still finish
                self._spawn(self._binary, f"127.0.0.1:{backend}")
                self._wait_ready("127.0.0.1", backend, 15.0)
            except ServerError as exc:
                self.failure = f"oxigraph could not be restarted: {exc}"
                self.on_event(self.failure)
                if old is not None:
                    _terminate(old, 2.0)
                return
            self.gateway.set_backend(("127.0.0.1", backend))
        if old is not None and old.poll() is None:
            time.sleep(0.5)  # answers already under way go out
            _terminate(old, 2.0)
        self.on_event(f"oxigraph restarted (pid {self.pid})")

    def _spawn(self, binary: Path, bind: str) -> None:
        if self._log is not None:
            self._log.close()
        self._log = _anonymous_file("mdm2kg-oxigraph-log")
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
        """The exit status if the server has stopped for good, else None (a supervised engine
        that exits is restarted: then this stays None unless the restarts failed)."""
        if self._supervisor is not None and self._supervisor.is_alive():
            return None
        if self.failure is not None:
            code = self.process.poll() if self.process is not None else None
            return code if code is not None else -1
        return self.process.poll() if self.process is not None else None

    def stop(self, *, timeout: float = 5.0) -> int | None:
        """Stop the gateway and the server (SIGTERM, then SIGKILL after `timeout`) and reap it; returns its status."""
        self._stopping.set()
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None and supervisor is not threading.current_thread():
            supervisor.join(timeout=30)
        gateway, self.gateway = self.gateway, None
        if gateway is not None:
            gateway.stop()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._swap:
            process, self.process = self.process, None
        code = None
        if process is not None:
            code = _terminate(process, timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def __enter__(self) -> OxigraphServer:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


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
                raise ServerError(server.failure or
                                  f"oxigraph stopped unexpectedly with status {code}: {_first_lines(server.log())}")
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
