"""The client's side of the FIFO transport: its reply FIFO, the request FIFO, timed reply reads.

See fifo.py for the directory layout. A client makes its own reply FIFO, sends each request with
one atomic write to the server's request FIFO, and reads the reply from its reply FIFO.
"""

from __future__ import annotations

import errno
import os
import select
import stat
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
from backend.transports.fifo import (
    REQUEST_FIFO,
    new_channel_number,
    reply_fifo_name,
    require_fifos,
    try_enlarge_pipe,
)


_readv = os.readv


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
        try:
            return _readv(self.reply_fd, [view])  # the reply is often there already: no clock, no poll
        except BlockingIOError:
            pass
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
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
            try:
                return _readv(self.reply_fd, [view])
            except BlockingIOError:
                pass


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
        self.channel = new_channel_number()
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
        self.read_into = self._reply_reader.read_into  # type: ignore[method-assign]  # one call less per read

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
            if len(buffers) == 1:
                return os.write(self._request_fd, buffers[0])  # a request: one atomic write
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
