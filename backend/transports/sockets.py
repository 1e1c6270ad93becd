"""Channels over stream sockets, shared by the TCP and Unix-domain transports.

The socket stays in blocking mode with kernel timeouts (SO_RCVTIMEO/SO_SNDTIMEO), so each read
or write is a single system call on the hot path; a Cancellation shuts the socket down to wake a
thread blocked in it.
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Sequence

from backend.transports.base import (
    Buffer,
    Cancelled,
    Channel,
    PeerClosed,
    TimedOut,
    drop_written,
    pending_buffers,
)
from backend.transports.cancel import Cancellation

BULK_SOCKET_BUFFER = 4 * 1024 * 1024
GRACEFUL_DRAIN_TIMEOUT = 1.0  # seconds a closing server reads and discards a peer's leftover input
GRACEFUL_DRAIN_LIMIT = 1 << 20  # bytes, at most
_NO_TIMEOUT = 0.0


def _timeval(seconds: float | None) -> bytes:
    if not seconds:
        return struct.pack("@ll", 0, 0)
    whole = int(seconds)
    return struct.pack("@ll", whole, max(1, int((seconds - whole) * 1_000_000)) if whole == 0 else
                       int((seconds - whole) * 1_000_000))


def drain_socket(sock: socket.socket, timeout: float) -> int:
    """Read and discard input until end-of-file, `timeout` s or GRACEFUL_DRAIN_LIMIT bytes; return
    the bytes discarded. `timeout` 0 takes only what is already queued (never waits)."""
    scratch = bytearray(65536)
    deadline = time.monotonic() + timeout
    drained = 0
    while drained < GRACEFUL_DRAIN_LIMIT:
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                count = sock.recv_into(scratch, 0, socket.MSG_DONTWAIT)
            else:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(remaining))
                count = sock.recv_into(scratch)
        except (BlockingIOError, InterruptedError):
            if remaining <= 0:
                return drained
            continue
        except OSError:
            return drained
        if count == 0:
            return drained
        drained += count
    return drained


class SocketChannel(Channel):
    """A channel over one connected stream socket (blocking, with kernel timeouts)."""

    def __init__(self, sock: socket.socket, cancellation: Cancellation | None = None) -> None:
        sock.settimeout(None)
        self.sock = sock
        super().__init__(sock.fileno(), sock.fileno(), None)
        self.cancellation = cancellation
        self._recv_into = sock.recv_into
        self._send = sock.send
        self._sendmsg = sock.sendmsg
        self._receive_timeout: float | None = -1.0
        self._send_timeout: float | None = -1.0
        self._callback_key = cancellation.add_callback(self._shut_down) if cancellation is not None else None
        self.error_sent = False  # an ERROR frame went out last: close gracefully

    def _shut_down(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _check_cancelled(self) -> None:
        if self.cancellation is not None and self.cancellation.cancelled:
            raise Cancelled("cancelled")

    def read_into(self, view: memoryview, timeout: float | None) -> int:
        if timeout != self._receive_timeout:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(timeout))
            self._receive_timeout = timeout
        try:
            count = self._recv_into(view)
        except BlockingIOError:
            self._check_cancelled()
            raise TimedOut(f"no data for {timeout:g} s") from None
        except (ConnectionResetError, ConnectionAbortedError) as error:
            self._check_cancelled()
            raise PeerClosed(f"connection reset by peer: {error}") from None
        if count == 0:
            self._check_cancelled()
        return count

    def write_all(self, buffers: Sequence[Buffer], timeout: float | None) -> int:
        """Write everything within `timeout` seconds in all (as the FIFO transport does): the
        kernel's SO_SNDTIMEO bounds one call only, and a call that waits and then sends a little
        would otherwise start the clock again (a client that never reads was dropped after 2-3
        times the timeout). Most writes finish in their first call and pay nothing for this."""
        if timeout != self._send_timeout:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _timeval(timeout))
            self._send_timeout = timeout
        pending, total = pending_buffers(buffers)
        deadline = time.monotonic() + timeout if timeout else None
        try:
            while pending:
                if len(pending) == 1:
                    written = self._send(pending[0])
                    if written == len(pending[0]):
                        break  # the usual case: everything went out in one call
                else:
                    written = self._sendmsg(pending[:64])
                drop_written(pending, written)
                if pending and deadline is not None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise BlockingIOError
                    self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _timeval(remaining))
                    self._send_timeout = -1.0  # the next write sets the whole timeout again
        except BlockingIOError:
            self._check_cancelled()
            raise TimedOut(f"the peer accepted no data for {timeout:g} s") from None
        except OSError as error:
            self._check_cancelled()
            raise PeerClosed(f"peer closed the connection: {error}") from None
        return total

    def apply_kernel_timeouts(self, timeout: float | None) -> None:
        """Set the socket's receive and send timeouts now (for code that uses the descriptor
        directly, like the native engine)."""
        for option in (socket.SO_RCVTIMEO, socket.SO_SNDTIMEO):
            self.sock.setsockopt(socket.SOL_SOCKET, option, _timeval(timeout))
        self._receive_timeout = self._send_timeout = timeout

    def enlarge_buffers(self) -> None:
        """Ask for big kernel buffers before a bulk transfer (ignored where refused)."""
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, option, BULK_SOCKET_BUFFER)
            except OSError:
                pass

    def close_gracefully(self, drain_timeout: float = GRACEFUL_DRAIN_TIMEOUT) -> None:
        """Close without destroying what was just sent: closing a socket with unread input sends
        a reset (RST), which may discard our last frame before the peer reads it. So: shut down
        our sending side (the peer sees end-of-file after our last byte), read and discard the
        peer's input until it closes too, for at most `drain_timeout` s and GRACEFUL_DRAIN_LIMIT
        bytes, then close."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            drain_socket(self.sock, drain_timeout)
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        if self._callback_key is not None and self.cancellation is not None:
            self.cancellation.remove_callback(self._callback_key)
            self._callback_key = None
        try:
            self.sock.close()
        except OSError:
            pass
