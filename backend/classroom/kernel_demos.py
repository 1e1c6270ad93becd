"""Real processes and threads for the kernel-view lessons, slowed down so a class can watch them
in the kernel's view (each one is a plain function or object the GUI runs in the background):

- FifoOpenDemo: `cat` opens a FIFO nobody writes to (blocked in openat(), wait_for_partner); a
  shell then opens it for writing and both proceed.
- client_that_never_reads: asks a server for many numbers and never reads the reply; the server
  blocks writing until its --write-timeout gives up.
- late_talker: connects to a server, waits before sending its request (the server's thread waits
  in recv), then does one exchange.
- naive_race: several threads block in read() on the naive design's ONE shared reply FIFO, the
  asker last; it asks; the kernel hands the reply to the reader it wakes — not the asker's own.
"""

from __future__ import annotations

import array
import fcntl
import os
import shutil
import subprocess
import tempfile
import threading
import time
from typing import Callable

from backend.classroom.fault_demos import _connect
from backend.classroom.naive import NAIVE_REPLY_FIFO, NAIVE_REQUEST_FIFO, _first_reply
from backend.clients.client import make_client
from backend.protocol.frames import Request, encode_request
from backend.transports.cancel import Cancellation
from backend.transports.fifo import FifoClientChannel

FIONREAD = 0x541B
WAKE_BYTE = b"\0"


class FifoOpenDemo:
    """A FIFO in a private directory; a reader (`cat`) and, later, a writer (a shell)."""

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="ipclab-lesson-")
        self.path = os.path.join(self.directory, "request.fifo")
        os.mkfifo(self.path, 0o600)
        self.reader: subprocess.Popen | None = None
        self.writer: subprocess.Popen | None = None

    def start_reader(self) -> int:
        """`cat request.fifo`: its open() blocks until a writer opens the other end."""
        self.reader = subprocess.Popen(["cat", self.path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self.reader.pid

    def start_writer(self, hold_seconds: float = 3.0) -> int:
        """A shell that opens the FIFO for writing, writes a line, keeps it open a while, closes it."""
        script = f'exec 3>"$0"; echo hello >&3; sleep {float(hold_seconds):g}'
        self.writer = subprocess.Popen(["sh", "-c", script, self.path], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        return self.writer.pid

    @property
    def pids(self) -> list[int]:
        return [child.pid for child in (self.reader, self.writer) if child is not None]

    def finished(self) -> bool:
        return all(child is None or child.poll() is not None for child in (self.reader, self.writer))

    def close(self) -> None:
        for child in (self.writer, self.reader):
            if child is not None:
                if child.poll() is None:
                    child.kill()
                child.wait(timeout=5)
        shutil.rmtree(self.directory, ignore_errors=True)


def client_that_never_reads(transport: str, address: str, count: int, hold_seconds: float,
                            cancellation: Cancellation) -> int:
    """Ask for `count` numbers and read none of them for `hold_seconds` (or until cancelled).
    Returns how many reply bytes were waiting, unread, in our end at the end."""
    waiting = array.array("i", [0])
    if transport == "fifo":
        channel = FifoClientChannel(address)
        try:
            request = Request(pid=os.getpid(), channel=channel.channel, request_id=1, count=count)
            channel.write_all([encode_request(request)], 5.0)
            cancellation.wait(hold_seconds)
            fcntl.ioctl(channel.read_fd, FIONREAD, waiting, True)
        finally:
            channel.close()
        return waiting[0]
    sock = _connect(transport, address)
    try:
        sock.sendall(encode_request(Request(pid=os.getpid(), channel=0, request_id=1, count=count)))
        cancellation.wait(hold_seconds)
        fcntl.ioctl(sock.fileno(), FIONREAD, waiting, True)
    finally:
        sock.close()
    return waiting[0]


def late_talker(transport: str, address: str, pause_seconds: float, cancellation: Cancellation) -> int:
    """Connect, say nothing for `pause_seconds`, then do one exchange of 10 numbers; returns the
    server's pid from the reply."""
    if transport == "fifo":
        raise ValueError("late_talker connects: use tcp or unix")
    client = make_client(transport, address, timeout=10.0, cancellation=cancellation)
    try:
        client.connect()
        if cancellation.wait(pause_seconds):
            return 0
        return client.request(10, 1, 100).server_pid
    finally:
        client.close()


def naive_race(directory: str, readers: int = 3, hold_seconds: float = 3.0,
               on_thread: Callable[[int, int], None] | None = None,
               cancellation: Cancellation | None = None) -> dict:
    """`readers` threads block in read() on the shared naive-reply.fifo, client 0 last; after
    `hold_seconds` client 0 (only) sends a request. Returns {"asker": 0, "got_it": k,
    "waiting_order": [...], "request_id": ...}: which reader the kernel gave client 0's reply to,
    and the order in which they started waiting. `on_thread(k, native thread id)` as each starts."""
    reply_path = os.path.join(os.path.abspath(directory), NAIVE_REPLY_FIFO)
    # Read-write and blocking: the reads wait in pipe_read (no end-of-file while nobody writes).
    reply_fd = os.open(reply_path, os.O_RDWR | os.O_CLOEXEC)
    results: dict[int, object] = {}

    def read_reply(index: int) -> None:
        if on_thread is not None:
            on_thread(index, threading.get_native_id())
        buffer = bytearray()
        while True:
            data = os.read(reply_fd, 65536)
            if data.startswith(WAKE_BYTE) and not buffer:
                results[index] = None  # woken by us: it got nothing
                return
            buffer += data
            reply = _first_reply(buffer)
            if reply is not None:
                results[index] = reply
                return

    threads = [threading.Thread(target=read_reply, args=(index,), name=f"naive-reader-{index}", daemon=True)
               for index in range(readers)]
    # The asker (client 0) starts waiting last: the others have waited longer.
    order = list(range(1, readers)) + [0]
    waiter = cancellation or Cancellation()
    try:
        for index in order:
            threads[index].start()
            _wait_until_reading(threads[index], waiter)
        waiter.wait(hold_seconds)
        request_fd = _open_request_fifo_named(directory)
        try:
            os.write(request_fd, encode_request(Request(pid=os.getpid(), channel=0, request_id=1, count=5, lo=1, hi=100)))
        finally:
            os.close(request_fd)
        for _ in range(50):  # up to 5 s for the server's reply to be taken by one of the readers
            if any(value is not None for value in results.values()) or waiter.wait(0.1):
                break
        waiter.wait(hold_seconds)  # the class looks at who woke up
        for thread in threads:
            if thread.is_alive():
                os.write(reply_fd, WAKE_BYTE)  # one byte wakes exactly one reader
                thread.join(timeout=2.0)
    finally:
        for thread in threads:
            while thread.is_alive():
                os.write(reply_fd, WAKE_BYTE)
                thread.join(timeout=0.5)
        os.close(reply_fd)
        if cancellation is None:
            waiter.close()
    winner = next((index for index, value in results.items() if value is not None), None)
    return {"asker": 0, "got_it": winner, "readers": readers, "waiting_order": order,
            "request_id": results[winner][0] if winner is not None else None}


def _wait_until_reading(thread: threading.Thread, waiter: Cancellation, timeout: float = 3.0) -> int | None:
    """Wait until `thread` sleeps in a pipe read (the kernel's own word, from /proc); its TID."""
    from backend.kernel_view.proc_files import Gone, Hidden
    from backend.kernel_view.thread_state import read_thread

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        native = thread.native_id
        if native is not None:
            try:
                state = read_thread(os.getpid(), native)
            except (Gone, Hidden):
                return native
            if state.wait_channel and "pipe_read" in state.wait_channel:
                return native
        if waiter.wait(0.01):
            break
    return thread.native_id


def _open_request_fifo_named(directory: str) -> int:
    path = os.path.join(os.path.abspath(directory), NAIVE_REQUEST_FIFO)
    return os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
