"""How full a channel's kernel buffer is, against its capacity — measured only in ways that change
nothing: never by opening another process's FIFO.

- A pipe or FIFO that this process also holds (the GUI's own client end): FIONREAD says how many
  bytes wait in it, F_GETPIPE_SZ its capacity, both on our own descriptor.
- A TCP or Unix socket: sock_diag gives its queues and buffer sizes; /proc/net/tcp its queues.
- A pipe held only by others: the kernel shows no fill; what is visible is whether its writer waits
  in pipe_write (then it is full, or lacks room for that write) — the sampler adds that inference.
"""

from __future__ import annotations

import array
import fcntl
import os
import stat
import time
from typing import NamedTuple

from backend.kernel_view.process_descriptors import Descriptor
from backend.kernel_view.proc_files import PROC, Gone, Hidden, list_directory, read_link
from backend.kernel_view.socket_diagnostics import SocketMemory

FIONREAD = 0x541B
F_GETPIPE_SZ = getattr(fcntl, "F_GETPIPE_SZ", 1032)
OWN_INDEX_LIFETIME = 0.5  # seconds: our own descriptors are listed again at most twice a second


class BufferFill(NamedTuple):
    used: int | None  # bytes waiting in the buffer (None: not visible)
    capacity: int | None  # the buffer's size in bytes (None: not visible)
    source: str  # how we know, in words
    full: bool | None  # None: cannot tell

    @property
    def fraction(self) -> float | None:
        if self.used is None or not self.capacity:
            return None
        return min(1.0, self.used / self.capacity)


NOT_VISIBLE = BufferFill(None, None, "only a process holding the pipe can ask how full it is", None)


class OwnEnds:
    """This process's own pipe, FIFO and socket descriptors by inode, so a channel another process
    uses can be measured through our own end of it (listed again when stale, checked by fstat)."""

    def __init__(self) -> None:
        self._by_inode: dict[int, int] = {}
        self._listed_at = float("-inf")

    def _list(self) -> None:
        found = {}
        try:
            entries = list_directory(f"{PROC}/self/fd")
        except (Gone, Hidden):
            entries = []
        for entry in entries:
            try:
                target = read_link(f"{PROC}/self/fd/{entry}")
            except (Gone, Hidden):
                continue
            if target.startswith(("pipe:[", "/")):
                try:
                    info = os.fstat(int(entry))
                except OSError:
                    continue
                if stat.S_ISFIFO(info.st_mode):
                    found[info.st_ino] = int(entry)
        self._by_inode = found
        self._listed_at = time.monotonic()

    def fd_for(self, inode: int) -> int | None:
        if time.monotonic() - self._listed_at > OWN_INDEX_LIFETIME:
            self._list()
        fd = self._by_inode.get(inode)
        if fd is None:
            return None
        try:
            if os.fstat(fd).st_ino == inode:
                return fd
        except OSError:
            pass
        self._by_inode.pop(inode, None)
        return None


def pipe_fill_of_own(fd: int) -> BufferFill | None:
    """FIONREAD and F_GETPIPE_SZ on one of our own pipe or FIFO descriptors."""
    waiting = array.array("i", [0])
    try:
        fcntl.ioctl(fd, FIONREAD, waiting, True)
        capacity = fcntl.fcntl(fd, F_GETPIPE_SZ)
    except OSError:
        return None
    return BufferFill(waiting[0], capacity, "measured on our own end (FIONREAD, F_GETPIPE_SZ)", waiting[0] >= capacity)


def socket_fill(descriptor: Descriptor, memory: SocketMemory | None, sending: bool) -> BufferFill | None:
    """The send (or receive) side of a socket, from sock_diag or else /proc/net/tcp's queues."""
    endpoint = descriptor.endpoint
    if endpoint is not None and endpoint.listening:
        return None
    if memory is not None:
        if descriptor.kind == "unix":
            # A Unix stream's sent bytes sit in the peer's receive queue, charged to our send buffer.
            used = memory.send_allocated if sending else memory.receive_queue
        else:
            used = memory.send_queue if sending else memory.receive_queue
        capacity = memory.send_buffer if sending else memory.receive_buffer
        full = None
        if sending and memory.send_allocated is not None and capacity:
            # The kernel makes a writer wait when the memory queued for sending reaches the buffer size.
            full = memory.send_allocated >= capacity * 0.9
        return BufferFill(used, capacity, "sock_diag (the kernel's socket memory)", full)
    if endpoint is not None and endpoint.send_queue is not None:
        used = endpoint.send_queue if sending else endpoint.receive_queue
        return BufferFill(used, None, "/proc/net/tcp queue (buffer size not visible)", None)
    return None


def descriptor_fill(descriptor: Descriptor, own_ends: OwnEnds, memory: dict[int, SocketMemory]) -> dict[str, BufferFill]:
    """What can be known about the buffers behind one descriptor: {"pipe": ...} or {"send": ..., "receive": ...}."""
    if descriptor.inode is None:
        return {}
    if descriptor.kind in ("pipe", "fifo"):
        own = own_ends.fd_for(descriptor.inode)
        fill = pipe_fill_of_own(own) if own is not None else None
        return {"pipe": fill or NOT_VISIBLE}
    if descriptor.kind in ("tcp", "tcp6", "unix"):
        fills = {}
        for side, sending in (("send", True), ("receive", False)):
            fill = socket_fill(descriptor, memory.get(descriptor.inode), sending)
            if fill is not None:
                fills[side] = fill
        return fills
    return {}
