"""The server half of the native engine from Python: each TCP/Unix connection served in C, and
what every native server shares (event and generator callbacks, totals).

`SocketServer` (backend/servers/socket_server.py) still accepts, caps the clients (BUSY) and runs
each connection in a thread of its own; with the native engine that thread calls
`ipcl_serve_connection` (src/server.c) for the whole connection, without the interpreter lock.
Events come back through a callback (client errors; per-exchange lines within the same budget as
the EventWriter's); the totals are C counters that a pump thread adds to the EventWriter.
The FIFO server's listener runs in C too (fifo_plane.py) with the same callbacks and totals.
Values for requests that carry a seed are drawn by numpy (`RandomSource.for_request`, the Python
engine's own recipe) through a callback, so both engines send the same numbers for them; values
for unseeded requests come from the C generator (src/rng.c).
"""

from __future__ import annotations

import ctypes
import functools
import threading

from backend.native.loader import library
from backend.protocol.engine import (
    RandomSource,
)
from backend.servers.events import EventWriter
from backend.transports.base import Cancelled, PeerClosed, TimedOut
from backend.transports.cancel import Cancellation
from backend.transports.sockets import SocketChannel

OK, CANCELLED, TIMEOUT, PEER_CLOSED = 0, 5, 4, 6
REQUEST_EVENT, REPLY_EVENT, CLIENT_ERROR_EVENT = 1, 2, 3
PUMP_INTERVAL = 0.2


class _Event(ctypes.Structure):
    _fields_ = [
        ("kind", ctypes.c_int32), ("code", ctypes.c_int32), ("pid", ctypes.c_uint32), ("channel", ctypes.c_uint32),
        ("request_id", ctypes.c_uint32), ("count", ctypes.c_uint32), ("lo", ctypes.c_int32), ("hi", ctypes.c_int32),
        ("seeded", ctypes.c_uint32), ("reserved", ctypes.c_uint32), ("seed", ctypes.c_uint64),
        ("bytes", ctypes.c_uint64), ("generation_ns", ctypes.c_int64), ("service_ns", ctypes.c_int64),
        ("message", ctypes.c_char * 256), ("has_client", ctypes.c_uint32), ("reserved2", ctypes.c_uint32),
        ("received_ns", ctypes.c_int64),
    ]


class _Totals(ctypes.Structure):
    _fields_ = [
        ("requests", ctypes.c_uint64), ("numbers", ctypes.c_uint64), ("bytes", ctypes.c_uint64),
        ("suppressed_lines", ctypes.c_uint64), ("window_start_ns", ctypes.c_int64), ("window_lines", ctypes.c_uint64),
        ("next_stream", ctypes.c_uint64),
    ]


EVENT_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.POINTER(_Event))
GENERATE_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_int32,
                                     ctypes.c_int32, ctypes.c_void_p)


class _Connection(ctypes.Structure):
    _fields_ = [
        ("fd", ctypes.c_int32), ("cancel_fd", ctypes.c_int32), ("max_count", ctypes.c_uint32),
        ("idle_timeout_ms", ctypes.c_int32), ("request_timeout_ms", ctypes.c_int32),
        ("write_timeout_ms", ctypes.c_int32), ("exchange_events", ctypes.c_int32),
        ("lines_per_second", ctypes.c_int32), ("seeded_server", ctypes.c_uint32), ("not_socket", ctypes.c_uint32),
        ("server_seed", ctypes.c_uint64), ("on_event", EVENT_CALLBACK), ("generate", GENERATE_CALLBACK),
        ("totals", ctypes.POINTER(_Totals)), ("error_sent", ctypes.POINTER(ctypes.c_int32)),
    ]


@functools.lru_cache(maxsize=1)
def _functions() -> ctypes.CDLL:
    lib = library()
    lib.ipcl_serve_connection.restype = ctypes.c_int32
    lib.ipcl_serve_connection.argtypes = [ctypes.POINTER(_Connection), ctypes.c_char_p, ctypes.c_uint32]
    return lib


def milliseconds(seconds: float) -> int:
    """A timeout for the C side: whole milliseconds, at least 1, within int32."""
    return max(1, min(2**31 - 1, int(seconds * 1000 + 0.5)))


def raise_for_status(status: int, text: str, cancelled: bool, cancelled_text: str) -> None:
    """Map a native call's status to the Python engine's exceptions (nothing for OK)."""
    if status == OK:
        return
    if status == CANCELLED or cancelled:
        raise Cancelled(cancelled_text)
    if status == TIMEOUT:
        raise TimedOut(text)
    if status == PEER_CLOSED:
        raise PeerClosed(text)
    raise OSError(text)


def report_exchange(events: EventWriter, event, client: str) -> bool:
    """Write a request / reply_sent event from C as the EventWriter line; False for other kinds."""
    if event.kind == REQUEST_EVENT:
        events.exchange("request", client=client, pid=event.pid, channel=event.channel,
                        request_id=event.request_id, count=event.count, lo=event.lo, hi=event.hi,
                        seed=event.seed if event.seeded else None)
    elif event.kind == REPLY_EVENT:
        events.exchange("reply_sent", client=client, pid=event.pid, request_id=event.request_id,
                        count=event.count, bytes=event.bytes, generation_us=round(event.generation_ns / 1000, 1),
                        service_us=round(event.service_ns / 1000, 1))
    else:
        return False
    return True


class NativeConnectionServer:
    """Serves connections of one SocketServer in C; `close()` after the last connection ended."""

    def __init__(self, config, events: EventWriter, cancellation: Cancellation) -> None:
        self._lib = _functions()
        self.config = config
        self.events = events
        self.cancellation = cancellation
        self.totals = _Totals()
        self._reported = (0, 0, 0, 0)
        self._sources: dict[int, RandomSource] = {}
        self._sources_lock = threading.Lock()
        self.generate_callback = GENERATE_CALLBACK(self._generate_values)  # kept alive as long as the server
        self._stop = threading.Event()
        self._pump = threading.Thread(target=self._pump_totals, name="ipclab-native-totals", daemon=True)
        self._pump.start()

    def _generate_values(self, token: int, seed: int, count: int, lo: int, hi: int, out: int) -> int:
        try:
            if count == 0:
                with self._sources_lock:
                    self._sources.pop(token, None)
                return 0
            with self._sources_lock:
                source = self._sources.get(token)
                if source is None:
                    source = self._sources[token] = RandomSource.for_request(seed)
            values = source.wire_values(count, lo, hi)
            ctypes.memmove(out, values.ctypes.data, count * 4)
            return 0
        except Exception:  # noqa: BLE001 - reported by the C side as an internal error
            return 1

    def serve_connection(self, channel: SocketChannel, name: str) -> None:
        """Serve one connection to its end; raises as SocketServer's Python loop does, and marks
        the channel `error_sent` (closed gracefully by the caller) after a final ERROR frame."""
        sock_fd = channel.sock.fileno()
        events = self.events

        def on_event(pointer) -> None:
            event = pointer.contents
            if event.kind == CLIENT_ERROR_EVENT:
                events.client("client_error", client=name, error=event.message.decode("utf-8", "replace"),
                              code=event.code)
            else:
                report_exchange(events, event, name)

        callback = EVENT_CALLBACK(on_event)
        error_sent = ctypes.c_int32(0)
        config = self.config
        connection = _Connection(
            fd=sock_fd, cancel_fd=self.cancellation.fd, max_count=config.max_count,
            idle_timeout_ms=milliseconds(config.idle_timeout), request_timeout_ms=milliseconds(config.request_timeout),
            write_timeout_ms=milliseconds(config.write_timeout), exchange_events=1 if events.exchange_lines else 0,
            lines_per_second=events.lines_per_second, seeded_server=0 if config.seed is None else 1,
            server_seed=(config.seed or 0) % 2**64, on_event=callback, generate=self.generate_callback,
            totals=ctypes.pointer(self.totals), error_sent=ctypes.pointer(error_sent),
        )
        message = ctypes.create_string_buffer(512)
        status = self._lib.ipcl_serve_connection(ctypes.byref(connection), message, len(message))
        text = message.value.decode("utf-8", "replace")
        channel.error_sent = bool(error_sent.value)
        raise_for_status(status, text, self.cancellation.cancelled, "server stopping")

    def _push_totals(self) -> None:
        totals = self.totals
        now = (totals.requests, totals.numbers, totals.bytes, totals.suppressed_lines)
        delta = [a - b for a, b in zip(now, self._reported)]
        self._reported = now
        if any(delta):
            self.events.count_replies(*delta)

    def _pump_totals(self) -> None:
        while not self._stop.wait(PUMP_INTERVAL):
            self._push_totals()

    def close(self) -> None:
        """Stop the pump and hand over the last totals (before the `stopped` event is written)."""
        self._stop.set()
        self._pump.join(timeout=2)
        self._push_totals()


