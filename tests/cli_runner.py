"""Run the `mdm2kg` command line in-process and capture what it prints.

`invoke(args)` calls `mdm2kg.cli.main(args)` with standard input fed from `input` (empty by
default, never a terminal), standard output and error captured as text streams over byte
buffers (so `sys.stdout.buffer` works), `env` applied to os.environ for the call (None unsets a
variable), and SystemExit turned into an exit code. `Result.output` holds both streams
interleaved in the order they were flushed, as a user sees them on one terminal.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping, Sequence


class _Copying(io.BytesIO):
    """A byte buffer that also copies every write into a shared one."""

    def __init__(self, shared: io.BytesIO) -> None:
        super().__init__()
        self.shared = shared

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.shared.write(data)
        return super().write(data)


class _Text(io.TextIOWrapper):
    """A captured text stream that outlives the call (its byte buffer is read afterwards)."""

    def __init__(self, buffer: io.BytesIO, name: str, errors: str = "strict") -> None:
        super().__init__(buffer, encoding="utf-8", errors=errors)
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def close(self) -> None:  # the CLI must not close what the test reads
        self.flush()


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace").replace("\r\n", "\n")


class Result:
    """What one run printed and how it ended."""

    def __init__(self, *, exit_code: int, stdout: bytes, stderr: bytes, output: bytes, exception: BaseException | None) -> None:
        self.exit_code = exit_code
        self.stdout_bytes = stdout
        self.stderr_bytes = stderr
        self.output_bytes = output
        self.exception = exception  # SystemExit for a non-zero exit, or what the CLI raised

    @property
    def output(self) -> str:
        """Standard output and error interleaved (CRLF read as LF)."""
        return _text(self.output_bytes)

    @property
    def stdout(self) -> str:
        return _text(self.stdout_bytes)

    @property
    def stderr(self) -> str:
        return _text(self.stderr_bytes)

    def __repr__(self) -> str:
        return f"<Result exit_code={self.exit_code} exception={self.exception!r}>"


def invoke(args: Sequence[str], input: str | bytes | None = None, env: Mapping[str, str | None] | None = None, *,
           catch_exceptions: bool = True) -> Result:
    """Run `mdm2kg ARGS` in this process. An exception other than SystemExit is caught (exit
    code 1, kept in `Result.exception`) unless `catch_exceptions` is false."""
    from mdm2kg.cli import main

    data = input.encode("utf-8") if isinstance(input, str) else (input or b"")
    mixed = io.BytesIO()
    out, err = _Copying(mixed), _Copying(mixed)
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    changes: dict[str, str | None] = {"COLUMNS": "80", **(env or {})}  # help wraps as on an 80-column terminal
    saved_env = {name: os.environ.get(name) for name in changes}
    for name, value in changes.items():
        _set_env(name, value)
    sys.stdin = _Text(io.BytesIO(data), "<stdin>")
    sys.stdout = _Text(out, "<stdout>")
    sys.stderr = _Text(err, "<stderr>", errors="backslashreplace")
    exit_code = 0
    exception: BaseException | None = None
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code
        if code is None:
            code = 0
        elif not isinstance(code, int):
            sys.stdout.write(f"{code}\n")
            code = 1
        if code != 0:
            exception = exc
        exit_code = code
    except Exception as exc:
        if not catch_exceptions:
            raise
        exit_code, exception = 1, exc
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        for name, value in saved_env.items():
            _set_env(name, value)
    return Result(exit_code=exit_code, stdout=out.getvalue(), stderr=err.getvalue(), output=mixed.getvalue(), exception=exception)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
