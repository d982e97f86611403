"""Safe file input and output.

- `atomic_write`: one file, written beside the target and renamed into place.
- `write_file_set`: several files that belong together (the two graph files of `build`, the
  files of an `export`), replaced as ONE set: they are written into a temporary sibling
  directory that is then swapped with the target directory, so a kill at any moment leaves
  the complete old set or the complete new set, never a mix.
- `read_regular_file`: read an input file without ever opening a FIFO, device or directory.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from mdm2kg.errors import RuntimeFailure, UsageError

# Test hook: with MDM2KG_TEST_KILL_AFTER_FILES=N, `write_file_set` ends the process abruptly
# (os._exit, like a kill -9: no clean-up runs) at step N: 0 = staging directory prepared,
# 1..F = after the F-th file is written, F+1 = after the swap, before the old set is removed.
KILL_HOOK_ENV = "MDM2KG_TEST_KILL_AFTER_FILES"
KILL_HOOK_EXIT = 99
_STAGING_TAG = "mdm2kg-set"


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write(path: Path, data: bytes) -> Path:
    """Write `data` to `path` so readers see the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # the bytes are on disk before the name points at them
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (the directory entry itself is flushed)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def read_regular_file(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of `path`; raise UsageError naming the path when it is not a regular file
    (a FIFO, device or directory is never opened for reading), cannot be read, or is larger
    than `max_bytes`."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"cannot read {path}: not a regular file ({_file_type(info.st_mode)})")
    try:  # O_NONBLOCK: should the name be swapped for a FIFO after the check, open still returns
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"cannot read {path}: not a regular file ({_file_type(info.st_mode)})")
        if info.st_size > max_bytes:
            raise UsageError(f"{path} is {info.st_size:,} bytes, over the limit of {max_bytes:,}; split it into several files")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UsageError(f"{path} is over the limit of {max_bytes:,} bytes; split it into several files")
    return data


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"  # pragma: no cover


# -- file sets ---------------------------------------------------------------------------------


def write_file_set(directory: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write `files` ({name: bytes}) into `directory` as one set; return the paths, sorted.

    The new directory is assembled in a temporary sibling: other entries already in `directory`
    are carried over (hard links, so nothing is copied), the files are written and fsynced,
    then the sibling and `directory` are exchanged in one atomic rename (Linux renameat2
    RENAME_EXCHANGE) and the old directory is removed. A kill at any moment leaves `directory`
    holding the complete old set or the complete new set. A staging directory left behind by
    a killed process is removed by the next call. Where the exchange is unavailable, two
    renames are used and `directory` is briefly absent (never mixed).
    """
    for name in files:
        if not name or name in (".", "..") or "/" in name or os.sep in name or "\0" in name:
            raise UsageError(f"invalid output file name {name!r}")
    target = _resolve_target(directory)
    try:
        _replace_set(target, files)
    except OSError as exc:
        message = f"cannot write the output set into {directory}: {exc.strerror or exc}"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST, errno.ENAMETOOLONG):
            raise UsageError(message) from None
        raise RuntimeFailure(message) from None
    return [Path(directory) / name for name in sorted(files)]


def _replace_set(target: Path, files: Mapping[str, bytes]) -> None:
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(target)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a directory")
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{_STAGING_TAG}-{os.getpid()}-", suffix=".tmp", dir=parent))
    try:
        _prepare_staging(staging, target, keep_out=set(files))
        _kill_hook(0)
        for step, (name, data) in enumerate(sorted(files.items()), start=1):
            _write_synced(staging / name, data)
            _kill_hook(step)
        _fsync_dir(staging)
        _swap_in(staging, target)
        _fsync_dir(parent)
        _kill_hook(len(files) + 1)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # before the swap: the partial new set; after: the old one


def _resolve_target(directory: Path) -> Path:
    """The real directory to replace (a symlink is followed, so its target is what gets swapped);
    refuses the current directory and its ancestors, which a swap would pull from under the shell."""
    target = Path(os.path.realpath(directory))
    cwd = Path(os.path.realpath(os.getcwd()))
    if target == cwd or target in cwd.parents:
        raise UsageError(
            f"cannot write the output set into {directory}: it is the current directory or holds it, and "
            "the directory is replaced as a whole; give a dedicated directory such as build/")
    if target.parent == target:
        raise UsageError(f"cannot write the output set into the root directory {directory}")
    return target


def _prepare_staging(staging: Path, target: Path, *, keep_out: set[str]) -> None:
    """Give the staging directory the target's mode and every entry of the target that is not
    being replaced (hard-linked; copied where links are refused). Temporary files that
    `atomic_write` left beside replaced files are dropped."""
    if not target.is_dir():
        os.chmod(staging, 0o777 & ~_umask())
        return
    shutil.copymode(target, staging)
    for entry in os.scandir(target):
        if entry.name in keep_out or _is_old_litter(entry.name, keep_out):
            continue
        source, destination = Path(entry.path), staging / entry.name
        if entry.is_dir(follow_symlinks=False):
            shutil.copytree(source, destination, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(source), str(destination))


def _is_old_litter(name: str, replaced: set[str]) -> bool:
    return name.startswith(".") and name.endswith(".tmp") and any(name.startswith(f".{r}.") for r in replaced)


def _link_or_copy(source: str, destination: str) -> str:
    try:
        os.link(source, destination, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, destination, follow_symlinks=False)
    return destination


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, 0o666 & ~_umask())


def _swap_in(staging: Path, target: Path) -> None:
    """Put `staging` at `target`; afterwards `staging` holds the old directory (if there was one)."""
    if not target.exists():
        try:
            os.rename(staging, target)
            return
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    if _exchange(staging, target):
        return
    old = staging.with_name(staging.name + ".old")
    os.rename(target, old)
    os.rename(staging, target)
    os.rename(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - not Linux/glibc
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # pragma: no cover - old kernel or filesystem
        return False
    raise OSError(code, os.strerror(code), str(b))


def _remove_stale_staging(target: Path) -> None:
    """Remove staging directories of `target` whose writing process no longer runs."""
    prefix = f".{target.name}.{_STAGING_TAG}-"
    try:
        entries = list(os.scandir(target.parent))
    except OSError:  # pragma: no cover
        return
    for entry in entries:
        if not entry.name.startswith(prefix) or not entry.is_dir(follow_symlinks=False):
            continue
        pid_text = entry.name[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def _kill_hook(step: int) -> None:
    wanted = os.environ.get(KILL_HOOK_ENV)
    if wanted is not None and wanted.strip() == str(step):
        os._exit(KILL_HOOK_EXIT)
