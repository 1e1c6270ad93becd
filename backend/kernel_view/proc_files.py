"""Reading /proc without tripping over it: a process may vanish between two reads, and a field
may be hidden from us (another user's process, a kernel that blanks it).

Reads are one os.open/os.read/os.close each (cheaper than open() and never buffered), and never
block: /proc files are generated on read.
"""

from __future__ import annotations

import os

PROC = "/proc"
_READ_SIZE = 65536


class Gone(Exception):
    """The process or thread no longer exists."""


class Hidden(Exception):
    """The field exists but we may not read it (permission, or the kernel hides it)."""


def open_for_reading(path: str) -> int:
    """A read-only descriptor of a /proc file; Gone or Hidden instead of OSError."""
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except (FileNotFoundError, ProcessLookupError, NotADirectoryError):
        raise Gone(path) from None
    except PermissionError:
        raise Hidden(path) from None


def read_bytes(path: str, limit: int = _READ_SIZE) -> bytes:
    """The whole file (up to `limit` bytes); Gone or Hidden instead of OSError."""
    fd = open_for_reading(path)
    try:
        if limit <= 4096:
            # A small /proc file is generated whole by its first read: one call instead of two.
            return os.read(fd, limit)
        chunks = []
        total = 0
        while total < limit:
            chunk = os.read(fd, min(_READ_SIZE, limit - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    except ProcessLookupError:
        raise Gone(path) from None
    except PermissionError:
        raise Hidden(path) from None
    except OSError as error:  # ESRCH and friends while the task exits
        raise Gone(f"{path}: {error.strerror}") from None
    finally:
        os.close(fd)


def read_text(path: str, limit: int = _READ_SIZE) -> str:
    return read_bytes(path, limit).decode("utf-8", "replace")


def read_link(path: str) -> str:
    """Where a /proc symbolic link (an fd, exe, cwd) points; Gone or Hidden instead of OSError."""
    try:
        return os.readlink(path)
    except (FileNotFoundError, ProcessLookupError, NotADirectoryError):
        raise Gone(path) from None
    except PermissionError:
        raise Hidden(path) from None


def list_directory(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except (FileNotFoundError, ProcessLookupError, NotADirectoryError):
        raise Gone(path) from None
    except PermissionError:
        raise Hidden(path) from None


def read_memory(pid: int, address: int, size: int) -> bytes:
    """`size` bytes of a process's memory at `address` (through /proc/PID/mem, which needs the
    same permission as tracing it). Used to read a path or a poll set a blocked call was given;
    Hidden when not allowed or not mapped."""
    try:
        fd = os.open(f"{PROC}/{pid}/mem", os.O_RDONLY | os.O_CLOEXEC)
    except (FileNotFoundError, ProcessLookupError):
        raise Gone(f"{pid}") from None
    except PermissionError:
        raise Hidden(f"{pid} memory") from None
    try:
        return os.pread(fd, size, address)
    except (OSError, OverflowError, ValueError):
        raise Hidden(f"{pid} memory at {address:#x}") from None
    finally:
        os.close(fd)


def read_c_string(pid: int, address: int, limit: int = 4096) -> str:
    """A NUL-terminated string from a process's memory (a path argument), read page by page."""
    collected = b""
    while len(collected) < limit:
        chunk_size = min(limit - len(collected), 4096 - (address + len(collected)) % 4096)
        chunk = read_memory(pid, address + len(collected), chunk_size)
        if not chunk:
            break
        end = chunk.find(b"\0")
        if end >= 0:
            return (collected + chunk[:end]).decode("utf-8", "replace")
        collected += chunk
    return collected.decode("utf-8", "replace")


class KeptOpen:
    """Small /proc files read again and again (a thread's stat, syscall, wchan) through descriptors
    kept open: one pread() per sample instead of open, read and close. A kept descriptor pins the
    task it was opened for, so a reused pid can never be read by mistake: once the task is gone
    its reads fail and the descriptor is dropped. At most `limit` are kept; beyond, files are
    opened for each read."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._open: dict[str, int] = {}

    def read(self, path: str, size: int = 4096) -> bytes:
        fd = self._open.get(path)
        if fd is None:
            if len(self._open) >= self.limit:
                return read_bytes(path, size)
            fd = open_for_reading(path)
            self._open[path] = fd
        try:
            data = os.pread(fd, size, 0)
        except PermissionError:
            self.drop(path)
            raise Hidden(path) from None
        except OSError:
            self.drop(path)
            raise Gone(path) from None
        if not data:
            self.drop(path)  # an exited task's files read empty
            raise Gone(path)
        return data

    def drop(self, path: str) -> None:
        fd = self._open.pop(path, None)
        if fd is not None:
            os.close(fd)

    def keep_only(self, prefixes: set[str]) -> None:
        """Close the descriptors of files not under one of `prefixes` (threads no longer sampled)."""
        for path in [path for path in self._open if path[:path.rfind("/") + 1] not in prefixes]:
            self.drop(path)

    def close(self) -> None:
        for path in list(self._open):
            self.drop(path)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
