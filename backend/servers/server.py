"""What every server shares: `ServerConfig`, the `Server` base class (lifecycle, randomness per
thread, cancellation) and `make_server`, which picks the class for a transport.

Socket servers (TCP, Unix) run one thread per connection, capped at `max_clients`: a client over
the cap gets a BUSY error frame (`socket_server.py`). The FIFO server reads every request from the
well-known FIFO in one listener thread, answers small requests inline and hands larger ones to a
bounded pool of worker threads (`fifo_server.py`). Every wait has a timeout and every thread
watches one Cancellation, so `stop()` from any thread ends the server promptly.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from backend.protocol import frames as protocol
from backend.protocol.engine import RandomSource, serve_request
from backend.protocol.frames import ErrorCode, Request
from backend.servers.events import EventWriter
from backend.transports.base import (
    Channel,
)
from backend.transports.cancel import Cancellation

DEFAULT_MAX_CLIENTS = 512
DEFAULT_IDLE_TIMEOUT = 60.0
DEFAULT_REQUEST_TIMEOUT = 5.0
DEFAULT_WRITE_TIMEOUT = 10.0
_VALUE_ERRORS = (ErrorCode.COUNT_TOO_LARGE, ErrorCode.BAD_RANGE)


@dataclass
class ServerConfig:
    """Everything a server needs to know; every limit has a safe default."""

    transport: str
    address: str | None = None  # fifo: directory; tcp: host:port; unix: socket path
    seed: int | None = None
    max_count: int = protocol.DEFAULT_MAX_COUNT
    max_clients: int = DEFAULT_MAX_CLIENTS
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    write_timeout: float = DEFAULT_WRITE_TIMEOUT
    engine: str = "python"  # "native": connections and the FIFO listener in C (backend/native; already resolved)


class Server:
    """Common parts: configuration, randomness per thread, cancellation, lifecycle."""

    transport = ""

    def __init__(self, config: ServerConfig, events: EventWriter) -> None:
        self.config = config
        self.events = events
        self.cancellation = Cancellation()
        self.address = ""
        self._seed_sequence = np.random.SeedSequence(config.seed)
        self._seed_lock = threading.Lock()
        self._local = threading.local()
        self._threads: set[threading.Thread] = set()
        self._threads_lock = threading.Lock()
        self.native = None  # with engine "native": backend/native serves connections and FIFO requests in C
        if config.engine == "native":
            from backend.native.server_plane import NativeConnectionServer

            self.native = NativeConnectionServer(config, events, self.cancellation)

    def random_source(self) -> RandomSource:
        """This thread's own generator, spawned from the server's seed sequence."""
        source = getattr(self._local, "source", None)
        if source is None:
            with self._seed_lock:
                child = self._seed_sequence.spawn(1)[0]
            source = self._local.source = RandomSource(child)
        return source

    def start(self) -> str:
        """Bind or create the server's address; return it in its printable form."""
        raise NotImplementedError

    def serve_forever(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        """Ask every thread to finish; safe from any thread or a signal handler."""
        self.cancellation.cancel()

    def close(self) -> None:
        """Release the address (files, sockets); call after serve_forever returned."""

    def _spawn(self, target, *args: object, name: str) -> threading.Thread:
        thread = threading.Thread(target=self._run_tracked, args=(target, *args), name=name, daemon=True)
        with self._threads_lock:
            self._threads.add(thread)
        try:
            thread.start()
        except RuntimeError:  # cannot start a thread: the caller sheds this client
            with self._threads_lock:
                self._threads.discard(thread)
            raise
        return thread

    def _run_tracked(self, target, *args: object) -> None:
        try:
            target(*args)
        finally:
            with self._threads_lock:
                self._threads.discard(threading.current_thread())

    @property
    def active_threads(self) -> int:
        with self._threads_lock:
            return len(self._threads)

    def join_threads(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._threads_lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _serve_one(self, request: Request, channel: Channel, client: str, received_ns: int,
                   write_timeout: float) -> None:
        """Serve a decoded request on `channel` and report it (exceptions go to the caller)."""
        events = self.events
        if not events.exchange_lines:
            result = serve_request(request, channel, self.random_source(), write_timeout, received_ns)
            events.count_reply(result.count, result.bytes_sent)
            return
        self.events.exchange(
            "request", client=client, pid=request.pid, channel=request.channel,
            request_id=request.request_id, count=request.count, lo=request.lo, hi=request.hi,
            seed=request.seed,
        )
        result = serve_request(request, channel, self.random_source(), write_timeout, received_ns)
        self.events.count_reply(result.count, result.bytes_sent)
        self.events.exchange(
            "reply_sent", client=client, pid=request.pid, request_id=request.request_id,
            count=result.count, bytes=result.bytes_sent, generation_us=round(result.generation_ns / 1000, 1),
            service_us=round(result.service_ns / 1000, 1),
        )


def make_server(config: ServerConfig, events: EventWriter) -> Server:
    """The server class for `config.transport`."""
    if config.transport == "fifo":
        from backend.servers.fifo_server import FifoServer

        return FifoServer(config, events)
    if config.transport in ("tcp", "unix"):
        from backend.servers.socket_server import SocketServer

        return SocketServer(config, events)
    raise ValueError(f"unknown transport {config.transport!r}")
