"""The client half of the native engine from Python: batches of exchanges on one client channel.

`NativeChannelPlane` wraps an open channel of a `backend.clients` client (TCP, Unix or FIFO: the
Python code opens it, the C code only reads and writes its descriptors) and runs
`ipcl_client_batch` (src/client.c) on it; ctypes releases the interpreter lock for the whole
batch. Failures come back as the Python engine's exceptions (ServerError, ProtocolMismatch,
ServerVanished, TimedOut, Cancelled, PeerClosed, OSError), with the exchanges completed before
the failure still reported. Values come back in native byte order.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import signal
import threading
from dataclasses import dataclass

import numpy as np

from backend.native.loader import library
from backend.protocol import frames as protocol
from backend.protocol.engine import ProtocolMismatch, ServerError, ServerVanished
from backend.transports.base import Cancelled, Channel, PeerClosed, TimedOut
from backend.transports.cancel import Cancellation
from backend.transports.sockets import SocketChannel

LAST_VALUES = 20
OK, SERVER_ERROR, MISMATCH, VANISHED, TIMEOUT, CANCELLED, PEER_CLOSED, OS_ERROR, BAD_ARGUMENT, INTERRUPTED = range(10)

# One row per completed exchange (ipcl_record in src/ipclab_native.h); times are CLOCK_MONOTONIC
# nanoseconds, the clock of time.perf_counter_ns on Linux.
NATIVE_RECORD_DTYPE = np.dtype([
    ("request_id", "u4"), ("count", "u4"), ("send_ns", "i8"), ("first_byte_ns", "i8"), ("last_byte_ns", "i8"),
    ("server_pid", "u4"), ("reserved", "u4"), ("server_generation_ns", "i8"), ("server_service_ns", "i8"),
    ("bytes_received", "u8"),
], align=True)
assert NATIVE_RECORD_DTYPE.itemsize == 64


class _Batch(ctypes.Structure):
    _fields_ = [
        ("write_fd", ctypes.c_int32), ("read_fd", ctypes.c_int32), ("cancel_fd", ctypes.c_int32),
        ("watch_fd", ctypes.c_int32), ("use_poll", ctypes.c_int32), ("timeout_ms", ctypes.c_int32),
        ("pid", ctypes.c_uint32), ("channel", ctypes.c_uint32), ("first_request_id", ctypes.c_uint32),
        ("lo", ctypes.c_int32), ("hi", ctypes.c_int32), ("seeded", ctypes.c_uint32),
        ("histogram", ctypes.c_void_p), ("hist_bins", ctypes.c_int64), ("hist_width", ctypes.c_int64),
        ("values", ctypes.c_void_p), ("values_capacity", ctypes.c_uint64),
        ("interruptible", ctypes.c_int32), ("signal_fd", ctypes.c_int32),
    ]


class _Outcome(ctypes.Structure):
    _fields_ = [
        ("done", ctypes.c_uint32), ("status", ctypes.c_int32), ("server_code", ctypes.c_int32),
        ("os_errno", ctypes.c_int32), ("next_request_id", ctypes.c_uint32), ("last_count", ctypes.c_uint32),
        ("message_length", ctypes.c_uint32), ("out_of_range", ctypes.c_int64),
        ("last_values", ctypes.c_int32 * LAST_VALUES),
        ("message", ctypes.c_char * (protocol.MAX_ERROR_MESSAGE + 128)),
    ]


@functools.lru_cache(maxsize=1)
def _functions() -> ctypes.CDLL:
    lib = library()
    lib.ipcl_client_new.restype = ctypes.c_void_p
    lib.ipcl_client_new.argtypes = []
    lib.ipcl_client_free.restype = None
    lib.ipcl_client_free.argtypes = [ctypes.c_void_p]
    lib.ipcl_client_batch.restype = ctypes.c_int32
    lib.ipcl_client_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Batch), ctypes.c_void_p, ctypes.c_void_p,
                                      ctypes.c_uint32, ctypes.c_void_p, ctypes.POINTER(_Outcome)]
    return lib


@dataclass
class BatchOutcome:
    """What one batch call did: the completed exchanges, then the failure that ended it, if any."""

    records: np.ndarray  # NATIVE_RECORD_DTYPE rows, one per completed exchange
    next_request_id: int
    out_of_range: int
    last_values: np.ndarray  # int32, the first values of the last completed reply (at most 20)
    error: Exception | None


@contextlib.contextmanager
def _signals_seen(batch: _Batch):
    """In the main thread, let a signal (Ctrl-C) end the call so that its Python handler runs: the
    C code also polls Python's signal wakeup pipe (set for the call when nobody else uses one)."""
    batch.interruptible, batch.signal_fd = 0, -1
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    batch.interruptible = 1
    read_end, write_end = _wakeup_pipe()
    try:
        while True:
            os.read(read_end, 4096)  # forget signals already handled
    except BlockingIOError:
        pass
    previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    if previous != -1:  # someone else's wakeup pipe (an event loop): leave it in place
        signal.set_wakeup_fd(previous)
        yield
        return
    batch.signal_fd = read_end
    try:
        yield
    finally:
        signal.set_wakeup_fd(-1)


@functools.lru_cache(maxsize=1)
def _wakeup_pipe() -> tuple[int, int]:
    read_end, write_end = os.pipe()
    for fd in (read_end, write_end):
        os.set_blocking(fd, False)
        os.set_inheritable(fd, False)
    return read_end, write_end


class _ChannelWakeup:
    """The channel's own cancellation descriptor: an eventfd written when the shared
    `Cancellation` fires. Every FIFO client polls its own descriptor rather than the shared pipe,
    whose wait queue dozens of client threads would otherwise join and leave on every wait."""

    def __init__(self, cancellation: Cancellation) -> None:
        self._lock = threading.Lock()
        self.fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        self._cancellation = cancellation
        self._key = cancellation.add_callback(self.wake)

    def wake(self) -> None:
        with self._lock:  # never write to a closed (and perhaps reused) descriptor number
            if self.fd >= 0:
                os.eventfd_write(self.fd, 1)

    def close(self) -> None:
        self._cancellation.remove_callback(self._key)
        with self._lock:
            if self.fd >= 0:
                os.close(self.fd)
                self.fd = -1


def _channel_wakeup(cancellation: Cancellation) -> _ChannelWakeup | None:
    """A wakeup of the channel's own, or None (no eventfd here, or no descriptor left: the shared
    pipe then does, a little more slowly with many clients)."""
    if not hasattr(os, "eventfd"):
        return None
    try:
        return _ChannelWakeup(cancellation)
    except OSError:
        return None


def failed_outcome(next_request_id: int, error: Exception) -> BatchOutcome:
    """The outcome of a batch that could not start (e.g. nobody serves at the address)."""
    return BatchOutcome(np.empty(0, dtype=NATIVE_RECORD_DTYPE), next_request_id, 0, np.empty(0, dtype=np.int32), error)


def _timeout_ms(timeout: float | None) -> int:
    if timeout is None:
        return -1
    return max(1, min(2**31 - 1, int(timeout * 1000 + 0.999)))


class NativeChannelPlane:
    """The C client loop bound to one open channel (closing the channel is the owner's job)."""

    def __init__(self, channel: Channel, pid: int, channel_number: int, timeout: float | None,
                 cancellation: Cancellation | None) -> None:
        self._handle = None
        self._wakeup: _ChannelWakeup | None = None
        self._lib = _functions()
        handle = self._lib.ipcl_client_new()
        if not handle:
            raise MemoryError("cannot allocate the native client's buffers")
        self._handle = handle
        self.cancellation = cancellation
        batch = _Batch()
        batch.pid, batch.channel, batch.timeout_ms = pid, channel_number, _timeout_ms(timeout)
        batch.cancel_fd = batch.watch_fd = -1
        if isinstance(channel, SocketChannel):
            channel.apply_kernel_timeouts(timeout)  # a blocking socket: the kernel times each call out
            batch.read_fd = batch.write_fd = channel.sock.fileno()
            batch.use_poll = 0
        else:  # a FIFO client's pair: non-blocking, waits in poll() with its own cancellation descriptor
            batch.read_fd, batch.write_fd, batch.watch_fd = channel.read_fd, channel.write_fd, channel.write_fd
            if cancellation is not None:
                self._wakeup = _channel_wakeup(cancellation)
                batch.cancel_fd = self._wakeup.fd if self._wakeup is not None else cancellation.fd
            batch.use_poll = 1
        self._batch = batch
        self._outcome = _Outcome()

    def close(self) -> None:
        if self._wakeup is not None:
            self._wakeup.close()
            self._wakeup = None
        if self._handle:
            self._lib.ipcl_client_free(self._handle)
            self._handle = None

    def __del__(self) -> None:  # pragma: no cover - safety net only
        self.close()

    def run(self, counts: np.ndarray, first_request_id: int, lo: int, hi: int, seeds: np.ndarray | None = None,
            histogram_counts: np.ndarray | None = None, bin_width: int = 1,
            values: np.ndarray | None = None) -> BatchOutcome:
        """Do len(counts) exchanges; the values go to `values` (int32, one reply after the other)
        if given, and are counted into `histogram_counts` (int64 bins of `bin_width` from lo)."""
        assert self._handle, "the plane is closed"
        counts = np.ascontiguousarray(counts, dtype=np.uint32)
        n = len(counts)
        records = np.empty(n, dtype=NATIVE_RECORD_DTYPE)
        batch = self._batch
        batch.first_request_id, batch.lo, batch.hi = first_request_id, lo, hi
        if seeds is not None:
            seeds = np.ascontiguousarray(seeds, dtype=np.uint64)
            assert len(seeds) == n
        batch.seeded = 0 if seeds is None else 1
        if histogram_counts is not None:
            assert histogram_counts.dtype == np.int64 and histogram_counts.flags.c_contiguous
            batch.histogram, batch.hist_bins, batch.hist_width = histogram_counts.ctypes.data, len(histogram_counts), bin_width
        else:
            batch.histogram, batch.hist_bins, batch.hist_width = None, 0, 1
        if values is not None:
            assert values.dtype == np.int32 and values.flags.c_contiguous
            batch.values, batch.values_capacity = values.ctypes.data, len(values)
        else:
            batch.values, batch.values_capacity = None, 0
        outcome = self._outcome
        with _signals_seen(batch):
            self._lib.ipcl_client_batch(self._handle, ctypes.byref(batch), counts.ctypes.data,
                                        None if seeds is None else seeds.ctypes.data, n, records.ctypes.data,
                                        ctypes.byref(outcome))
        done = outcome.done
        return BatchOutcome(records[:done], outcome.next_request_id, outcome.out_of_range,
                            np.array(outcome.last_values[:outcome.last_count], dtype=np.int32),
                            None if outcome.status == OK else self._exception(outcome))

    def _exception(self, outcome: _Outcome) -> Exception:
        raw = ctypes.string_at(ctypes.addressof(outcome) + _Outcome.message.offset, outcome.message_length)
        status = outcome.status
        if status == SERVER_ERROR:
            return ServerError(outcome.server_code, raw.decode("utf-8", "replace"))
        message = raw.decode("utf-8", "replace")
        if self.cancellation is not None and self.cancellation.cancelled and status != MISMATCH:
            return Cancelled("cancelled")
        if status == MISMATCH:
            return ProtocolMismatch(message)
        if status == VANISHED:
            return ServerVanished(message)
        if status == TIMEOUT:
            return TimedOut(message)
        if status == CANCELLED:
            return Cancelled(message)
        if status == PEER_CLOSED:
            return PeerClosed(message)
        if status == OS_ERROR:
            return OSError(outcome.os_errno, message)
        if status == INTERRUPTED:
            return InterruptedError(errno.EINTR, message)
        return ValueError(message)
