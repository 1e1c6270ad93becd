"""The FIFO server's listener in the native engine: `NativeFifoListener` runs `ipcl_serve_fifo`
(src/fifo_server.c) in the listener thread, without the interpreter lock.

C reads the request FIFO, resynchronises after garbage, checks every request, answers the small
ones (up to `FIFO_INLINE_VALUES`) through its cache of open reply FIFOs and writes ERROR replies,
exactly as `FifoServer`'s Python listener does. What stays in Python comes back as events: the
known clients (`client_connected`, `client_gone`), client errors, exchange lines, and every
larger request, which `FifoServer` hands to its worker threads (BUSY cap, abandonment watch).
`NativeReplyCache` is the C cache seen from Python: the pruning thread and the workers' shedding
at EMFILE use it as they use `ReplyFifoCache`.
"""

from __future__ import annotations

import ctypes
import functools
import os

from backend.native.loader import library
from backend.native.server_plane import (
    CANCELLED,
    CLIENT_ERROR_EVENT,
    EVENT_CALLBACK,
    GENERATE_CALLBACK,
    NativeConnectionServer,
    _Totals,
    milliseconds,
    report_exchange,
)
from backend.protocol.frames import Request
from backend.transports.cancel import Cancellation

CLIENT_SEEN_EVENT, CLIENT_GONE_EVENT, HAND_OVER_EVENT, NEW_REQUEST_EVENT = 4, 5, 6, 7
PRUNE_INTERVAL = 1.0  # seconds between sweeps of the cache, as ReplyFifoCache's


class _FifoServer(ctypes.Structure):
    _fields_ = [
        ("request_fd", ctypes.c_int32), ("cancel_fd", ctypes.c_int32), ("directory_fd", ctypes.c_int32),
        ("user_id", ctypes.c_uint32), ("max_count", ctypes.c_uint32), ("request_timeout_ms", ctypes.c_int32),
        ("inline_timeout_ms", ctypes.c_int32), ("exchange_events", ctypes.c_int32),
        ("lines_per_second", ctypes.c_int32), ("inline_values", ctypes.c_uint32), ("seeded_server", ctypes.c_uint32),
        ("server_seed", ctypes.c_uint64), ("worker_replies", ctypes.POINTER(ctypes.c_int32)),
        ("on_event", EVENT_CALLBACK), ("generate", GENERATE_CALLBACK), ("totals", ctypes.POINTER(_Totals)),
        ("garbage_bytes", ctypes.POINTER(ctypes.c_uint64)), ("stop_requested", ctypes.POINTER(ctypes.c_int32)),
    ]


@functools.lru_cache(maxsize=1)
def _functions() -> ctypes.CDLL:
    lib = library()
    lib.ipcl_fifo_cache_new.restype = ctypes.c_void_p
    lib.ipcl_fifo_cache_new.argtypes = [ctypes.c_uint32]
    lib.ipcl_fifo_cache_free.restype = None
    lib.ipcl_fifo_cache_free.argtypes = [ctypes.c_void_p]
    for name in ("ipcl_fifo_cache_size", "ipcl_fifo_cache_prune"):
        getattr(lib, name).restype = ctypes.c_uint32
        getattr(lib, name).argtypes = [ctypes.c_void_p]
    lib.ipcl_fifo_cache_shed_one.restype = ctypes.c_int32
    lib.ipcl_fifo_cache_shed_one.argtypes = [ctypes.c_void_p]
    lib.ipcl_serve_fifo.restype = ctypes.c_int32
    lib.ipcl_serve_fifo.argtypes = [ctypes.POINTER(_FifoServer), ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32]
    return lib


class NativeReplyCache:
    """The C cache of open reply FIFOs, with ReplyFifoCache's interface for the other threads."""

    def __init__(self, cancellation: Cancellation, capacity: int) -> None:
        self._lib = _functions()
        self.cancellation = cancellation
        self.capacity = max(1, capacity)
        self.handle = self._lib.ipcl_fifo_cache_new(self.capacity)
        if not self.handle:
            raise MemoryError("cannot make the native reply FIFO cache")

    def __len__(self) -> int:
        return self._lib.ipcl_fifo_cache_size(self.handle) if self.handle else 0

    def shed_one(self) -> bool:
        """Close the least recently used entry not being written to (at EMFILE)."""
        return bool(self.handle and self._lib.ipcl_fifo_cache_shed_one(self.handle))

    def prune(self) -> int:
        """Close every entry whose FIFO was unlinked or has no reader; return how many."""
        return self._lib.ipcl_fifo_cache_prune(self.handle) if self.handle else 0

    def prune_until_cancelled(self) -> None:
        """The pruning thread: a sweep every PRUNE_INTERVAL seconds, also while the server is idle."""
        while not self.cancellation.wait(PRUNE_INTERVAL):
            self.prune()

    def close(self) -> None:
        """Close every cached descriptor (after the listener and the pruning thread stopped)."""
        if self.handle:
            self._lib.ipcl_fifo_cache_free(self.handle)
            self.handle = None


class NativeFifoListener:
    """Runs a FifoServer's listener in C; the server's own methods take what stays in Python."""

    def __init__(self, fifo_server, native: NativeConnectionServer, cache: NativeReplyCache,
                 inline_values: int, inline_timeout: float) -> None:
        self._lib = _functions()
        self.server = fifo_server
        self.native = native
        self.cache = cache
        self.inline_values = inline_values
        self.inline_timeout = inline_timeout
        self.worker_replies = ctypes.c_int32(0)  # FifoServer keeps it equal to its active large replies
        self.garbage_bytes = ctypes.c_uint64(0)
        self.stop_requested = ctypes.c_int32(0)  # request_stop() sets it; the listener reads it after every read()

    def _on_event(self, pointer) -> None:
        event = pointer.contents
        server = self.server
        key = (event.pid, event.channel)
        client = f"pid {event.pid}/{event.channel}" if event.has_client else "?"
        kind = event.kind
        if report_exchange(server.events, event, client):
            return
        if kind == CLIENT_ERROR_EVENT:
            fields = {"code": event.code} if event.code else {}
            server.events.client("client_error", client=client, error=event.message.decode("utf-8", "replace"),
                                 **fields)
        elif kind == CLIENT_SEEN_EVENT:
            server.note_client(key, client)
        elif kind == CLIENT_GONE_EVENT:
            server.client_left(key, client, event.message.decode("utf-8", "replace"))
        elif kind == NEW_REQUEST_EVENT:
            server.abandon_reply_of(key)
        elif kind == HAND_OVER_EVENT:
            request = Request(event.pid, event.channel, event.request_id, event.count, event.lo, event.hi,
                              event.seed if event.seeded else None)
            server.note_client(key, client)
            server.serve_large(request, client, event.received_ns)

    def request_stop(self) -> None:
        """Tell the listener to stop after its next read() (the caller then writes the byte that wakes it)."""
        self.stop_requested.value = 1

    def serve(self, request_fd: int, directory_fd: int) -> None:
        """Serve until the server's cancellation fires (raises OSError if the listener fails)."""
        server = self.server
        config = server.config
        events = server.events

        def on_event(pointer) -> None:
            try:
                self._on_event(pointer)
            except Exception as error:  # noqa: BLE001 - one event's failure must not stop the listener
                events.client("client_error", client="?", error=f"internal error: {error!r}")

        callback = EVENT_CALLBACK(on_event)
        settings = _FifoServer(
            request_fd=request_fd, cancel_fd=server.cancellation.fd, directory_fd=directory_fd, user_id=os.getuid(),
            max_count=config.max_count, request_timeout_ms=milliseconds(config.request_timeout),
            inline_timeout_ms=milliseconds(self.inline_timeout), exchange_events=1 if events.exchange_lines else 0,
            lines_per_second=events.lines_per_second, inline_values=self.inline_values,
            seeded_server=0 if config.seed is None else 1, server_seed=(config.seed or 0) % 2**64,
            worker_replies=ctypes.pointer(self.worker_replies), on_event=callback,
            generate=self.native.generate_callback, totals=ctypes.pointer(self.native.totals),
            garbage_bytes=ctypes.pointer(self.garbage_bytes), stop_requested=ctypes.pointer(self.stop_requested),
        )
        message = ctypes.create_string_buffer(256)
        status = self._lib.ipcl_serve_fifo(ctypes.byref(settings), self.cache.handle, message, len(message))
        if status != CANCELLED and not server.cancellation.cancelled:
            raise OSError(message.value.decode("utf-8", "replace"))
