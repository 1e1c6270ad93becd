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
    Cancelled,
    Channel,
    ConnectionRefused,
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
        try:
            fd = os.open(name, REPLY_WRITE_FLAGS, dir_fd=self._dir_fd)
        except OSError as error:
            if error.errno == errno.ENXIO:
                raise ReplyFifoError(f"client {pid}/{channel} is not reading its reply FIFO (it is gone)") from None
            if error.errno == errno.ELOOP:
                raise ReplyFifoError(f"{name} is a symlink; refusing to open it") from None
            raise ReplyFifoError(f"cannot open {name}: {error.strerror}") from None
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino) or not stat.S_ISFIFO(opened.st_mode):
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
    """A reply FIFO could not be opened safely (client gone, wrong type or owner, symlink)."""


def try_enlarge_pipe(fd: int, size: int = BULK_PIPE_SIZE) -> None:
    """Grow a pipe's buffer for bulk transfers; silently keep the default where refused."""
    try:
        fcntl.fcntl(fd, F_SETPIPE_SZ, size)
    except OSError:
        pass


class FifoWriteChannel(Channel):
    """The server's end of one reply: a write-only channel over an opened reply FIFO."""

    def __init__(self, fd: int, cancellation: Cancellation | None = None) -> None:
        super().__init__(fd, fd, cancellation)
        self._fd = fd

    def _read(self, view: memoryview) -> int:
        raise TransportError("a reply FIFO is write-only")

    def enlarge_buffers(self) -> None:
        try_enlarge_pipe(self._fd)

    def _write(self, buffers: Sequence[Buffer]) -> int:
        return os.writev(self._fd, buffers[:64])

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class ReplyReader:
    """Reads a client's reply FIFO with a timeout and notices at once when the server is gone.

    It polls the reply FIFO for data and the request FIFO for POLLERR: a pipe's writer gets
    POLLERR when no reader is left, i.e. the moment the server process is gone. What the server
    wrote before dying is still read; after that, reads return 0 (end of stream).
    """

    def __init__(self, reply_fd: int, request_fd: int, cancellation: Cancellation | None) -> None:
        self.reply_fd = reply_fd
        self.request_fd = request_fd
        self.server_gone = False
        self._poller = select.poll()
        self._poller.register(reply_fd, select.POLLIN)
        self._poller.register(request_fd, 0)
        if cancellation is not None:
            self._poller.register(cancellation.fd, select.POLLIN)

    def read_into(self, view: memoryview, timeout: float | None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                return os.readv(self.reply_fd, [view])
            except BlockingIOError:
                pass
            if self.server_gone:
                return 0
            if deadline is None:
                timeout_ms = None
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimedOut(f"no reply for {timeout:g} s")
                timeout_ms = max(1, int(remaining * 1000 + 0.999))
            for fd, _ in self._poller.poll(timeout_ms):
                if fd == self.request_fd:
                    self.server_gone = True
                elif fd != self.reply_fd:
                    raise Cancelled("cancelled while waiting for the reply")


class FifoClientChannel(Channel):
    """A client's pair: the server's request FIFO (write) and its own reply FIFO (read).

    The reply FIFO is opened once, read-write (Linux and the BSDs allow this on a FIFO): holding a
    writer ourselves means a read never reports a false end-of-file between the server's replies.
    A server that dies is noticed at once: our request FIFO's write end then reports POLLERR.
    """

    def __init__(self, directory: str, cancellation: Cancellation | None = None) -> None:
        require_fifos()
        self.directory = os.path.abspath(directory)
        self.pid = os.getpid()
        self.channel = next(_channel_numbers)
        self.reply_path = os.path.join(self.directory, reply_fifo_name(self.pid, self.channel))
        request_path = os.path.join(self.directory, REQUEST_FIFO)
        try:
            request_fd = os.open(request_path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as error:
            if error.errno in (errno.ENXIO, errno.ENOENT):
                raise ConnectionRefused(f"no server is reading fifo {request_path}") from None
            raise TransportError(f"cannot open {request_path}: {error.strerror}") from None
        reply_fd = -1
        made_fifo = False
        try:
            info = os.fstat(request_fd)
            if not stat.S_ISFIFO(info.st_mode):
                raise TransportError(f"{request_path} is not a FIFO")
            try:
                os.unlink(self.reply_path)  # a leftover of an earlier process with our pid
            except FileNotFoundError:
                pass
            os.mkfifo(self.reply_path, 0o600)
            made_fifo = True
            reply_fd = os.open(self.reply_path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        except BaseException:
            os.close(request_fd)
            if reply_fd >= 0:
                os.close(reply_fd)
            if made_fifo:
                try:
                    os.unlink(self.reply_path)
                except OSError:
                    pass
            raise
        self._request_fd = request_fd
        self._reply_fd = reply_fd
        self._enlarged = False
        self._reply_reader = ReplyReader(reply_fd, request_fd, cancellation)
        super().__init__(reply_fd, request_fd, cancellation)

    def enlarge_buffers(self) -> None:
        if not self._enlarged:
            try_enlarge_pipe(self._reply_fd)
            self._enlarged = True

    def _read(self, view: memoryview) -> int:
        return os.readv(self._reply_fd, [view])

    def read_into(self, view: memoryview, timeout: float | None) -> int:
        """Read some reply bytes, or return 0 once the server is gone and nothing is left."""
        return self._reply_reader.read_into(view, timeout)

    def _write(self, buffers: Sequence[Buffer]) -> int:
        try:
            return os.writev(self._request_fd, buffers[:64])
        except BrokenPipeError:
            raise PeerClosed("the server no longer reads its request FIFO") from None

    def close(self) -> None:
        for name in ("_reply_fd", "_request_fd"):
            fd = getattr(self, name)
            if fd >= 0:
                os.close(fd)
                setattr(self, name, -1)
        try:
            os.unlink(self.reply_path)
        except FileNotFoundError:
            pass
