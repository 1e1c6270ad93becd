"""What every transport offers the protocol engine: a channel that reads and writes bytes.

A channel wraps non-blocking file descriptors. It tries the system call first and, only when it
would block, waits in poll() for the descriptor or the cancellation pipe, so a read or write never
waits longer than its timeout and any thread can interrupt it at once with `Cancellation.cancel()`.
"""

from __future__ import annotations

import errno
import select
import time
from typing import Sequence

from backend.transports.cancel import Cancellation

Buffer = bytes | bytearray | memoryview


class TransportError(Exception):
    """Base class of every I/O failure a channel reports."""


class ConnectionRefused(TransportError):
    """Nobody is serving at the address."""


class TimedOut(TransportError):
    """The peer did not send or accept data within the timeout."""


class PeerClosed(TransportError):
    """The peer closed its end (or vanished) in the middle of an exchange."""


class Cancelled(TransportError):
    """The operation was interrupted by a Cancellation from another thread."""


_READ_EVENTS = select.POLLIN | select.POLLPRI | select.POLLHUP | select.POLLERR
_WRITE_EVENTS = select.POLLOUT | select.POLLHUP | select.POLLERR


class Channel:
    """A bidirectional byte channel over one or two non-blocking descriptors.

    Subclasses provide `_read(view) -> int` and `_write(buffers) -> int`, each raising
    BlockingIOError when it would block, and `close()`.
    """

    def __init__(self, read_fd: int, write_fd: int, cancellation: Cancellation | None = None) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd
        self.cancellation = cancellation
        self._pollers: dict[bool, select.poll] = {}

    def _poller(self, writing: bool) -> select.poll:
        """The poll set for reading or writing, made on first need (most calls never wait)."""
        poller = self._pollers.get(writing)
        if poller is None:
            poller = self._pollers[writing] = select.poll()
            if writing:
                poller.register(self.write_fd, _WRITE_EVENTS)
            else:
                poller.register(self.read_fd, _READ_EVENTS)
            if self.cancellation is not None:
                poller.register(self.cancellation.fd, select.POLLIN)
        return poller

    # -- to be provided by subclasses -------------------------------------------------------
    def _read(self, view: memoryview) -> int:
        raise NotImplementedError

    def _write(self, buffers: Sequence[Buffer]) -> int:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- shared logic ------------------------------------------------------------------------
    def _wait(self, poller: select.poll, fd: int, deadline: float | None, what: str) -> None:
        """Wait until `fd` is ready, the deadline passes (TimedOut) or we are cancelled."""
        while True:
            if deadline is None:
                timeout_ms = None
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimedOut(f"timed out waiting to {what}")
                timeout_ms = max(1, int(remaining * 1000 + 0.999))
            events = poller.poll(timeout_ms)
            cancelled = False
            for event_fd, _ in events:
                if event_fd == fd:
                    return
                cancelled = True
            if cancelled:
                raise Cancelled(f"cancelled while waiting to {what}")

    def read_into(self, view: memoryview, timeout: float | None) -> int:
        """Read at least one byte into `view`; return the count, or 0 at end of stream."""
        deadline = -1.0  # computed when the first attempt would block: most reads never wait
        while True:
            try:
                return self._read(view)
            except BlockingIOError:
                pass
            except ConnectionResetError as error:
                raise PeerClosed(f"connection reset by peer: {error}") from None
            if deadline == -1.0:
                deadline = None if timeout is None else time.monotonic() + timeout
            self._wait(self._poller(False), self.read_fd, deadline, "read")

    def write_all(self, buffers: Sequence[Buffer], timeout: float | None) -> int:
        """Write every byte of `buffers` (gathered), waiting at most `timeout` for progress.

        The timeout applies to each wait for the peer to make room, so a slow but steady reader
        is served while a stalled one is dropped after `timeout` seconds.
        """
        if len(buffers) == 1 and type(buffers[0]) is bytes and buffers[0]:
            pending, total = [buffers[0]], len(buffers[0])  # pending_buffers' usual case, inline
        else:
            pending, total = pending_buffers(buffers)
        while pending:
            try:
                written = self._write(pending)
            except BlockingIOError:
                deadline = None if timeout is None else time.monotonic() + timeout
                self._wait(self._poller(True), self.write_fd, deadline, "write")
                continue
            except (BrokenPipeError, ConnectionResetError) as error:
                raise PeerClosed(f"peer closed the channel: {error}") from None
            except OSError as error:
                if error.errno in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                    raise PeerClosed(f"peer closed the channel: {error}") from None
                raise
            if written == len(pending[0]) and len(pending) == 1:
                break  # the usual case: everything went out in one call
            drop_written(pending, written)
        return total


def pending_buffers(buffers: Sequence[Buffer]) -> tuple[list, int]:
    """The non-empty buffers of `buffers` as byte-sized views to gather out, and their total size.
    One bytes object (a request, a small reply) is taken as it is: nothing to cast or add up."""
    if len(buffers) == 1:
        only = buffers[0]
        if type(only) is bytes:
            return ([only] if only else []), len(only)
    pending = [memoryview(b).cast("B") for b in buffers if len(b)]
    return pending, sum(len(b) for b in pending)


def drop_written(pending: list[memoryview], written: int) -> None:
    """Remove the first `written` bytes from a list of buffers being gathered out (in place)."""
    while written and pending:
        head = pending[0]
        if written >= len(head):
            written -= len(head)
            pending.pop(0)
        else:
            pending[0] = head[written:]
            written = 0

