"""FIFO transport: the textbook multi-client design in a private directory.

    DIR/                      mode 0700, only the user can enter it
      server.pid              the serving process, so a stale directory can be recognised
      request.fifo            the well-known FIFO every client writes its 48-byte requests to
      reply-<pid>-<channel>.fifo   one reply FIFO per client channel, made by that client

A request fits in PIPE_BUF, so concurrent writers never interleave. The server opens a reply FIFO
per request with O_NONBLOCK|O_NOFOLLOW, only if it is a FIFO owned by the user: a client that has
vanished (no reader) makes the open fail at once instead of blocking the server.
"""

from __future__ import annotations

import errno
import fcntl
import itertools
import os
import re
import select
import stat
import tempfile
import time
from typing import Sequence

from backend.transports.base import (
    Buffer,
    Channel,
    PeerClosed,
    TimedOut,
    TransportError,
)
from backend.transports.cancel import Cancellation

REQUEST_FIFO = "request.fifo"
PID_FILE = "server.pid"
REPLY_PATTERN = re.compile(r"reply-(\d+)-(\d+)\.fifo")
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
BULK_PIPE_SIZE = 1024 * 1024
# How the server opens a client's reply FIFO (see `FifoDirectory.open_reply`).
REPLY_WRITE_FLAGS = os.O_WRONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC

_channel_numbers = itertools.count()


class FifoUnsupported(TransportError):
    """This platform has no named pipes (Windows)."""


def fifos_supported() -> bool:
    """FIFOs exist on POSIX systems only; the FIFO transport is disabled elsewhere."""
    return hasattr(os, "mkfifo")


def require_fifos() -> None:
    if not fifos_supported():
        raise FifoUnsupported("named pipes (FIFOs) are not available on this system; use tcp or unix")


def new_channel_number() -> int:
    """A channel number no other FIFO client of this process uses (it names the reply FIFO)."""
    return next(_channel_numbers)


def reply_fifo_name(pid: int, channel: int) -> str:
    """The reply FIFO's file name for a client; built from integers only, never from the wire."""
    return f"reply-{int(pid)}-{int(channel)}.fifo"


def _user_id() -> int:
    """The user's id (no uids on Windows: -1, and ownership checks are skipped there)."""
    return os.getuid() if hasattr(os, "getuid") else -1


def runtime_base_directory() -> str:
    """Where private IPC Lab directories live.

    Linux: $XDG_RUNTIME_DIR/ipclab (a per-user tmpfs), else TMP/ipclab-UID. macOS has no
    XDG_RUNTIME_DIR, and its TMPDIR is already per user (/var/folders/...): TMPDIR/ipclab-UID.
    """
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime) and os.access(runtime, os.W_OK | os.X_OK):
        return os.path.join(runtime, "ipclab")
    user = _user_id()
    suffix = str(user) if user >= 0 else os.environ.get("USERNAME", "user")
    return os.path.join(tempfile.gettempdir(), f"ipclab-{suffix}")


def ensure_private_directory(path: str) -> None:
    """Create `path` with mode 0700, or check an existing one is a real directory of ours."""
    try:
        os.mkdir(path, 0o700)
        return
    except FileExistsError:
        pass
    except FileNotFoundError:
        raise TransportError(f"cannot create {path}: its parent directory does not exist") from None
    except PermissionError:
        raise TransportError(f"cannot create {path}: permission denied") from None
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise TransportError(f"{path} exists and is not a directory (a symlink?); refusing to use it")
    if _user_id() >= 0 and info.st_uid != _user_id():
        raise TransportError(f"{path} belongs to another user; refusing to use it")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(path, 0o700)


def default_fifo_directory() -> str:
    """The well-known directory `ipclab serve fifo` and `ipclab request fifo` use by default."""
    return os.path.join(runtime_base_directory(), "fifo")


def _process_is_ipclab_server(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"serve" in handle.read()
    except OSError:
        return True  # no /proc: assume it is alive and ours to respect


class FifoDirectory:
    """The server's side of the directory: prepares it, cleans a stale one, removes it on exit."""

    request_name = REQUEST_FIFO
    other_fifo_names: tuple[str, ...] = ()  # further FIFOs of ours (the naive demonstration's)

    def __init__(self, path: str) -> None:
        require_fifos()
        self.path = os.path.abspath(path)
        self.request_path = os.path.join(self.path, self.request_name)
        self._dir_fd: int | None = None
        self._prepared = False
        self.stale_files_removed = 0

    def prepare(self) -> None:
        """Make the directory and the request FIFO; clean what a killed server left behind."""
        if os.path.normpath(os.path.dirname(self.path)) == os.path.normpath(runtime_base_directory()):
            ensure_private_directory(runtime_base_directory())
        ensure_private_directory(self.path)
        self._clean_stale()
        # The pid file first, so that a second server starting now sees this one as live.
        pid_temp = os.path.join(self.path, PID_FILE + ".tmp")
        with open(pid_temp, "w") as handle:
            handle.write(f"{os.getpid()}\n")
        os.replace(pid_temp, os.path.join(self.path, PID_FILE))
        self._prepared = True
        os.mkfifo(self.request_path, 0o600)
        self._dir_fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def _someone_reads_requests(self) -> bool:
        """Whether a live process (of any implementation, with or without a pid file) has the
        request FIFO open for reading: then opening it for writing without blocking succeeds."""
        try:
            fd = os.open(self.request_path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return False  # ENXIO: no reader (stale); ENOENT, ELOOP...: nothing to probe
        os.close(fd)
        return True

    def _owned_entries(self) -> tuple[list[str], list[str]]:
        """Split the directory's entries into ours (FIFOs and pid file we made) and foreign ones."""
        ours, foreign = [], []
        for name in os.listdir(self.path):
            full = os.path.join(self.path, name)
            try:
                info = os.lstat(full)
            except FileNotFoundError:
                continue
            mine = info.st_uid == _user_id()
            if mine and stat.S_ISFIFO(info.st_mode) and (
                name == self.request_name or name in self.other_fifo_names or REPLY_PATTERN.fullmatch(name)
            ):
                ours.append(name)
            elif mine and stat.S_ISREG(info.st_mode) and name in (PID_FILE, PID_FILE + ".tmp"):
                ours.append(name)
            else:
                foreign.append(name)
        return ours, foreign

    def _clean_stale(self) -> None:
        pid_path = os.path.join(self.path, PID_FILE)
        try:
            with open(pid_path) as handle:
                old_pid = int(handle.read().strip() or 0)
        except (FileNotFoundError, ValueError):
            old_pid = 0
        if old_pid and old_pid != os.getpid() and _process_is_ipclab_server(old_pid):
            raise TransportError(f"a server (pid {old_pid}) is already serving {self.path}")
        if self._someone_reads_requests():
            raise TransportError(f"a server is already serving {self.path} (it reads {self.request_name})")
        ours, foreign = self._owned_entries()
        if foreign:
            raise TransportError(
                f"{self.path} holds files that are not IPC Lab's ({', '.join(sorted(foreign)[:5])}); "
                "refusing to use it"
            )
        for name in ours:
            os.unlink(os.path.join(self.path, name))
        self.stale_files_removed = len(ours)

    def remove_if_stale(self) -> bool:
        """Remove what a dead server left here (only IPC Lab's own files); return whether removed.

        Leaves everything alone while a live server owns the directory or foreign files are in it.
        """
        if not os.path.isdir(self.path):
            return False
        try:
            self._clean_stale()
        except TransportError:
            return False
        self._prepared = True
        self.remove()
        return True

    @property
    def descriptor(self) -> int:
        """The open directory (after `prepare`): reply FIFOs are found relative to it, never by path."""
        assert self._dir_fd is not None
        return self._dir_fd

    def has_reply(self, pid: int, channel: int) -> bool:
        """Whether the client's reply FIFO is still in the directory (a client removes it when it goes)."""
        assert self._dir_fd is not None
        try:
            os.stat(reply_fifo_name(pid, channel), dir_fd=self._dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        return True

    def open_reply(self, pid: int, channel: int) -> int:
        """Open a client's reply FIFO for writing, safely; raise PeerClosed-like errors.

        Refuses symlinks (O_NOFOLLOW), anything but a FIFO owned by the user, and returns at once
        with ENXIO when the client has no reader open (it vanished).
        """
        assert self._dir_fd is not None
        name = reply_fifo_name(pid, channel)
        try:
            info = os.stat(name, dir_fd=self._dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            raise ReplyFifoError(f"client {pid}/{channel} has no reply FIFO (it is gone)") from None
        if not stat.S_ISFIFO(info.st_mode) or info.st_uid != _user_id():
            raise ReplyFifoError(f"{name} is not a FIFO owned by this user; refusing to open it")
        if info.st_nlink != 1:  # a hard link to a FIFO outside the directory: not a client's own
            raise ReplyFifoError(f"{name} has {info.st_nlink} links (a hard link?); refusing to open it")
        try:
            fd = os.open(name, REPLY_WRITE_FLAGS, dir_fd=self._dir_fd)
        except OSError as error:
            if error.errno == errno.ENXIO:
                raise ReplyFifoError(f"client {pid}/{channel} is not reading its reply FIFO (it is gone)") from None
            if error.errno == errno.ELOOP:
                raise ReplyFifoError(f"{name} is a symlink; refusing to open it") from None
            if error.errno in (errno.EMFILE, errno.ENFILE):
                raise OutOfDescriptors(f"cannot open {name}: {error.strerror}") from None
            raise ReplyFifoError(f"cannot open {name}: {error.strerror}") from None
        opened = os.fstat(fd)
        if ((opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino) or not stat.S_ISFIFO(opened.st_mode)
                or opened.st_nlink != 1):
            os.close(fd)
            raise ReplyFifoError(f"{name} changed while it was being opened; refusing it")
        return fd

    def remove(self) -> None:
        """Remove every FIFO and file of ours, then the directory if nothing else is in it.

        Does nothing unless `prepare` succeeded: a server refused because another one serves the
        directory must not remove that server's files.
        """
        if self._dir_fd is not None:
            os.close(self._dir_fd)
            self._dir_fd = None
        if not self._prepared:
            return
        self._prepared = False
        try:
            ours, _ = self._owned_entries()
        except FileNotFoundError:
            return
        for name in ours:
            try:
                os.unlink(os.path.join(self.path, name))
            except FileNotFoundError:
                pass
        try:
            os.rmdir(self.path)
        except OSError:
            pass


class ReplyFifoError(TransportError):
    """A reply FIFO could not be opened safely (client gone, wrong type, owner or link count, symlink)."""


class OutOfDescriptors(ReplyFifoError):
    """The reply FIFO is fine but the process (EMFILE) or the system (ENFILE) has no descriptor left."""


def try_enlarge_pipe(fd: int, size: int = BULK_PIPE_SIZE) -> None:
    """Grow a pipe's buffer for bulk transfers; silently keep the default where refused."""
    try:
        fcntl.fcntl(fd, F_SETPIPE_SZ, size)
    except OSError:
        pass


class FifoWriteChannel(Channel):
    """The server's end of one reply: a write-only channel over an opened reply FIFO.

    With `watch_reader`, the reply stops (PeerClosed) as soon as it is abandoned: when the client
    removed its reply FIFO (st_nlink drops to 0), when `abandon()` was called (the client sent a
    new request, so it gave up on this reply), or when the reader is gone (EPIPE, POLLERR). The
    checks run before every write and at least every WATCH_INTERVAL while waiting for room, so
    the rest of an old reply never flows to a new reader of the same FIFO.
    """

    WATCH_INTERVAL = 0.1

    def __init__(self, fd: int, cancellation: Cancellation | None = None, watch_reader: bool = False) -> None:
        super().__init__(fd, fd, cancellation)
        self._fd = fd
        self.watch_reader = watch_reader
        self.abandoned = False

    def abandon(self) -> None:
        """Stop this reply at its next write or wait (safe from another thread)."""
        self.abandoned = True

    def reader_gone(self) -> str:
        """Why this reply must stop ("" while it may go on)."""
        if self.abandoned:
            return "the client sent a new request before reading this reply to its end"
        if self._fd < 0:
            return "the reply FIFO is closed"
        if os.fstat(self._fd).st_nlink == 0:
            return "the client removed its reply FIFO"
        return ""

    def _read(self, view: memoryview) -> int:
        raise TransportError("a reply FIFO is write-only")

    def enlarge_buffers(self) -> None:
        try_enlarge_pipe(self._fd)

    def _write(self, buffers: Sequence[Buffer]) -> int:
        if self.watch_reader:
            reason = self.reader_gone()
            if reason:
                raise PeerClosed(f"reply abandoned: {reason}")
        if len(buffers) == 1:
            return os.write(self._fd, buffers[0])  # one buffer: write(2) is writev(2) of one vector
        return os.writev(self._fd, buffers[:64])

    def _wait(self, poller: select.poll, fd: int, deadline: float | None, what: str) -> None:
        if not self.watch_reader:
            super()._wait(poller, fd, deadline, what)
            return
        while True:
            reason = self.reader_gone()
            if reason:
                raise PeerClosed(f"reply abandoned: {reason}")
            now = time.monotonic()
            slice_end = now + self.WATCH_INTERVAL if deadline is None else min(deadline, now + self.WATCH_INTERVAL)
            try:
                super()._wait(poller, fd, slice_end, what)
                return
            except TimedOut:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def __getattr__(name: str) -> object:
    """The client's side lives in fifo_client.py; it is still importable from here."""
    if name in ("ReplyReader", "FifoClientChannel"):
        from backend.transports import fifo_client

        return getattr(fifo_client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
