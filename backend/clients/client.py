"""Clients for the three transports, with one interface: connect, request, close.

    with make_client("tcp", "127.0.0.1:5000") as client:
        result = client.request(10, 1, 10)          # numpy array + timing
        client.request(10**9, 1, 10, sink=hist.add)  # streamed in chunks, bounded memory

A client reconnects lazily after a failure, so it keeps working once a crashed server is back.
With `engine="native"` (or "auto" when it is built) its exchanges run in the compiled data plane
(backend/native); a request with a Python sink, or with wire capture, runs in the Python engine.
"""

from __future__ import annotations

import itertools
import os

import numpy as np

from backend.protocol import frames as protocol
from backend.protocol.engine import (
    ExchangeResult,
    FrameReader,
    ServerError,
    Sink,
    client_exchange,
)
from backend.protocol.frames import ErrorCode, Request
from backend.protocol.wire_capture import CapturingChannel, WireCapture, WireRecorder
from backend.transports import TRANSPORTS
from backend.transports.base import Channel, TransportError
from backend.transports.cancel import Cancellation
from backend.transports.fifo import (
    default_fifo_directory,
    runtime_base_directory,
)
from backend.transports.fifo_client import FifoClientChannel
from backend.transports.tcp import connect_tcp, parse_tcp_address
from backend.transports.unix import check_socket_path, connect_unix

DEFAULT_TIMEOUT = 10.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_TCP_ADDRESS = "127.0.0.1:5000"
_socket_channel_numbers = itertools.count()
# Error codes after which the server keeps the connection open; after any other, we reconnect.
_RECOVERABLE_CODES = {ErrorCode.COUNT_TOO_LARGE, ErrorCode.BAD_RANGE}


def default_unix_path() -> str:
    return os.path.join(runtime_base_directory(), "ipclab.sock")


def default_address(transport: str) -> str:
    """The well-known address `ipclab serve TRANSPORT` uses when none is given."""
    if transport == "fifo":
        return default_fifo_directory()
    if transport == "tcp":
        return DEFAULT_TCP_ADDRESS
    if transport == "unix":
        return default_unix_path()
    raise ValueError(f"unknown transport {transport!r}; expected one of {', '.join(TRANSPORTS)}")


def check_address(transport: str, address: str) -> None:
    """Raise ValueError with a clear message if `address` is malformed for `transport`."""
    if transport == "tcp":
        parse_tcp_address(address)
    elif transport == "unix":
        check_socket_path(address)
    elif transport == "fifo":
        if not address:
            raise ValueError("the FIFO directory is empty")
    else:
        raise ValueError(f"unknown transport {transport!r}; expected one of {', '.join(TRANSPORTS)}")


class Client:
    """One client of one server: a channel, a request counter and the last server pid seen."""

    transport = ""

    def __init__(
        self,
        address: str,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        cancellation: Cancellation | None = None,
        capture_wire: bool = False,
        engine: str = "python",
    ) -> None:
        check_address(self.transport, address)
        from backend.native.loader import resolve_engine

        self.engine = "python" if capture_wire else resolve_engine(engine)
        self.address = address
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.cancellation = cancellation
        self.pid = os.getpid()
        self.server_pid = 0
        self._channel: Channel | None = None
        self._reader: FrameReader | None = None
        self._plane = None  # the native engine's loop bound to the open channel
        self._next_request_id = 1
        self._sink_buffer: np.ndarray | None = None
        self.channel_number = 0
        self.last_wire: WireCapture | None = None  # with capture_wire: the bytes of the last exchange
        self._recorder: WireRecorder | None = None
        if capture_wire:
            self._recorder = WireRecorder()
            self.request = self._captured_request  # type: ignore[method-assign]  # nothing to pay when off

    def _open_channel(self) -> Channel:
        raise NotImplementedError

    @property
    def connected(self) -> bool:
        return self._channel is not None

    def connect(self) -> None:
        """Open the channel now (otherwise the first request does it)."""
        if self._channel is None:
            self._channel = self._open_channel()
            if self._recorder is not None:
                self._channel = CapturingChannel(self._channel, self._recorder)  # type: ignore[assignment]
            self._reader = FrameReader(self._channel)

    def request(
        self, count: int, lo: int = protocol.DEFAULT_LO, hi: int = protocol.DEFAULT_HI,
        seed: int | None = None, sink: Sink | None = None,
    ) -> ExchangeResult:
        """Ask for `count` integers in [lo, hi]; see engine.client_exchange for what it raises."""
        protocol.validate_request_fields(count, lo, hi)
        if self.engine == "native" and sink is None:
            return self._native_request(count, lo, hi, seed)
        self.connect()
        assert self._channel is not None and self._reader is not None
        request_id = self._next_request_id
        self._next_request_id = request_id % protocol.UINT32_MAX + 1
        request = Request(self.pid, self.channel_number, request_id, count, lo, hi, seed)
        if sink is not None and self._sink_buffer is None:
            self._sink_buffer = np.empty(protocol.MAX_CHUNK_VALUES, dtype=">i4")
        try:
            result = client_exchange(self._channel, self._reader, request, self.timeout, sink, self._sink_buffer)
        except ServerError as error:
            if error.code not in _RECOVERABLE_CODES:
                self.close()
            raise
        except BaseException:
            self.close()  # the stream may be mid-frame: never reuse it
            raise
        self.server_pid = result.server_pid
        return result

    def native_plane(self):
        """The native engine's loop on this client's channel (connecting first if needed)."""
        self.connect()
        if self._plane is None:
            from backend.native.client_plane import NativeChannelPlane

            self._plane = NativeChannelPlane(self._channel, self.pid, self.channel_number, self.timeout,
                                             self.cancellation)
        return self._plane

    def native_batch(self, counts: np.ndarray, lo: int, hi: int, seeds: np.ndarray | None = None,
                     histogram_counts: np.ndarray | None = None, bin_width: int = 1,
                     values: np.ndarray | None = None):
        """Run len(counts) exchanges in the native engine; return its BatchOutcome. After a failure
        the channel is closed (but after a recoverable ERROR frame), as `request` does; a failure
        to connect is reported the same way, as the outcome's error."""
        try:
            plane = self.native_plane()
        except (TransportError, OSError) as error:
            self.close()
            from backend.native.client_plane import failed_outcome

            return failed_outcome(self._next_request_id, error)
        if len(counts) and int(np.max(counts)) >= protocol.MAX_CHUNK_VALUES and hasattr(self._channel, "enlarge_buffers"):
            self._channel.enlarge_buffers()
        outcome = plane.run(counts, self._next_request_id, lo, hi, seeds, histogram_counts, bin_width, values)
        self._next_request_id = outcome.next_request_id
        if len(outcome.records):
            self.server_pid = int(outcome.records["server_pid"][-1])
        error = outcome.error
        if error is not None and not (isinstance(error, ServerError) and error.code in _RECOVERABLE_CODES):
            self.close()
        return outcome

    def _native_request(self, count: int, lo: int, hi: int, seed: int | None) -> ExchangeResult:
        values = np.empty(count, dtype=np.int32)
        seeds = None if seed is None else np.array([seed], dtype=np.uint64)
        outcome = self.native_batch(np.array([count], dtype=np.uint32), lo, hi, seeds, values=values)
        if outcome.error is not None:
            raise outcome.error
        row = outcome.records[0]
        return ExchangeResult(
            int(row["request_id"]), count, values, int(row["send_ns"]), int(row["first_byte_ns"]),
            int(row["last_byte_ns"]), int(row["server_pid"]), int(row["server_generation_ns"]),
            int(row["server_service_ns"]), int(row["bytes_received"]),
        )

    def _captured_request(self, *args, **kwargs) -> ExchangeResult:
        """`request`, recording the exact bytes in `last_wire` (also when it raises)."""
        assert self._recorder is not None
        self._recorder.begin()
        try:
            return Client.request(self, *args, **kwargs)
        finally:
            self.last_wire = self._recorder.capture()

    def close(self) -> None:
        if self._plane is not None:
            self._plane.close()
            self._plane = None
        if self._channel is not None:
            self._channel.close()
            self._channel = None
            self._reader = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class TcpClient(Client):
    transport = "tcp"

    def _open_channel(self) -> Channel:
        self.channel_number = next(_socket_channel_numbers)
        return connect_tcp(self.address, self.connect_timeout, self.cancellation)


class UnixClient(Client):
    transport = "unix"

    def _open_channel(self) -> Channel:
        self.channel_number = next(_socket_channel_numbers)
        return connect_unix(self.address, self.connect_timeout, self.cancellation)


class FifoClient(Client):
    transport = "fifo"

    def _open_channel(self) -> Channel:
        channel = FifoClientChannel(self.address, self.cancellation)
        self.channel_number = channel.channel
        return channel


_CLIENT_CLASSES: dict[str, type[Client]] = {"fifo": FifoClient, "tcp": TcpClient, "unix": UnixClient}


def make_client(transport: str, address: str | None = None, **options: object) -> Client:
    """A client of the right class for `transport` ("fifo", "tcp" or "unix")."""
    if transport not in _CLIENT_CLASSES:
        raise ValueError(f"unknown transport {transport!r}; expected one of {', '.join(TRANSPORTS)}")
    return _CLIENT_CLASSES[transport](address or default_address(transport), **options)  # type: ignore[arg-type]
