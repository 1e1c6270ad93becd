"""The protocol engine, written once for every transport.

Server side: `serve_request` generates the values of one request and streams them as bounded CHUNK
frames followed by an END frame. Client side: `client_exchange` sends a request and receives the
reply into an array or a caller-supplied sink, timing each step. Both only see a `Channel`.
"""

from __future__ import annotations

import os
import struct
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from backend.protocol import frames as protocol
from backend.protocol.frames import ErrorCode, FrameType, ProtocolError, Request
from backend.transports.base import Channel, PeerClosed, TransportError

WIRE_DTYPE = np.dtype(">i4")
SMALL_REPLY_VALUES = 16_384  # replies up to this many values go out in one write
_NATIVE_IS_BIG = sys.byteorder == "big"
_perf_ns = time.perf_counter_ns

Sink = Callable[[np.ndarray], None]
_END_COUNT = struct.Struct(">I")  # END frame offset 12: total count (in the 16-byte header)
_END_REST = struct.Struct(">I4xQQ")  # END frame offsets 16..39: server pid, reserved, times
# The server's hot path packs frames with these (plain ints: no enum lookups per reply).
_END_PACK = protocol.END.pack
_CHUNK_HEADER_PACK = protocol.CHUNK_HEADER.pack
_MAGIC, _VERSION = protocol.MAGIC, protocol.VERSION
_CHUNK_TYPE, _END_TYPE, _ERROR_TYPE = int(FrameType.CHUNK), int(FrameType.END), int(FrameType.ERROR)
_REPLY_HEADER_SIZE = protocol.REPLY_HEADER_SIZE
_new_tuple = tuple.__new__  # builds a NamedTuple from its fields without its Python-level __new__
_END_REST_SIZE = protocol.END_SIZE - protocol.REPLY_HEADER_SIZE


class ServerError(Exception):
    """The server answered with an ERROR frame."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"server error {protocol.error_name(code)} ({code}): {message}")
        self.code = code
        self.message = message


class ProtocolMismatch(TransportError):
    """The peer sent something that is not a valid reply to our request."""


class ServerVanished(PeerClosed):
    """The server closed the channel or died before the reply was complete."""


class ServiceResult(NamedTuple):
    """What the server did for one request."""

    count: int
    bytes_sent: int
    generation_ns: int
    service_ns: int


@dataclass(slots=True)
class ExchangeResult:
    """One complete exchange as the client saw it; times are perf_counter_ns readings."""

    request_id: int
    count: int
    values: np.ndarray | None  # big-endian int32 (wire order); None when a sink took them
    send_ns: int
    first_byte_ns: int
    last_byte_ns: int
    server_pid: int
    server_generation_ns: int
    server_service_ns: int
    bytes_received: int

    @property
    def latency_ns(self) -> int:
        return self.last_byte_ns - self.send_ns


class RandomSource:
    """Unbiased integers in [lo, hi] from numpy's PCG64 (Lemire's method), one stream per thread.

    Small requests are served from a block generated ahead for their range (POOL_VALUES at a
    time), so numpy's per-call overhead is paid once per block instead of once per request; the
    values are the same stream numpy would give, only drawn in larger steps.
    """

    POOL_LIMIT = 256  # requests up to this many values use a pre-generated block
    POOL_VALUES = 16_384
    POOL_RANGES = 8

    def __init__(self, seed_sequence: np.random.SeedSequence, pooled: bool = True) -> None:
        self.generator = np.random.Generator(np.random.PCG64(seed_sequence))
        self._pools: dict[tuple[int, int], list] = {}
        self._pooled = pooled

    @staticmethod
    def for_request(seed: int) -> "RandomSource":
        """A fresh stream for a request that carries its own seed (same seed -> same numbers).

        The values are reproducible with numpy alone (see `reference_values`)."""
        return RandomSource(np.random.SeedSequence(seed), pooled=False)

    def wire_values(self, count: int, lo: int, hi: int) -> np.ndarray:
        """`count` values in [lo, hi] whose bytes are already in network order.

        The result may be a view into a shared block: send it before asking for more values.
        """
        if count <= self.POOL_LIMIT and self._pooled:
            pool = self._pools.get((lo, hi))
            if pool is None or pool[1] + count > len(pool[0]):
                if pool is None and len(self._pools) >= self.POOL_RANGES:
                    self._pools.pop(next(iter(self._pools)))
                pool = self._pools[(lo, hi)] = [self._generate(self.POOL_VALUES, lo, hi), 0]
            start = pool[1]
            pool[1] = start + count
            return pool[0][start:start + count]
        return self._generate(count, lo, hi)

    def _generate(self, count: int, lo: int, hi: int) -> np.ndarray:
        """Draw offsets in the narrowest unsigned type that holds the span (numpy's bounded
        generation is unbiased in every width, and narrow draws are cheaper), then add `lo`
        straight into a big-endian array."""
        span = hi - lo
        if span <= 0xFF:
            offsets = self.generator.integers(0, span, size=count, dtype=np.uint8, endpoint=True)
        elif span <= 0xFFFF:
            offsets = self.generator.integers(0, span, size=count, dtype=np.uint16, endpoint=True)
        else:
            values = self.generator.integers(lo, hi, size=count, dtype=np.int32, endpoint=True)
            if not _NATIVE_IS_BIG:
                values.byteswap(inplace=True)
            return values
        values = np.empty(count, dtype=WIRE_DTYPE)
        np.add(offsets, np.int32(lo), out=values, dtype=np.int32, casting="unsafe")
        return values


def reference_values(seed: int, count: int, lo: int, hi: int) -> np.ndarray:
    """The values a server sends for a seeded request, computed without any server.

    `Generator(PCG64(SeedSequence(seed)))`; for each chunk of at most MAX_CHUNK_VALUES values,
    `lo + integers(0, hi - lo, endpoint=True)` drawn as uint8 when hi - lo < 256, uint16 when
    hi - lo < 65536, else `integers(lo, hi, endpoint=True)` as int32. Returned in native order.
    """
    source = RandomSource.for_request(seed)
    parts, remaining = [], count
    while remaining:
        size = min(remaining, protocol.MAX_CHUNK_VALUES)
        parts.append(source.wire_values(size, lo, hi).astype(np.int32))
        remaining -= size
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)


_server_pid = os.getpid()
SMALL_JOINED_VALUES = 1024  # up to this many values, one joined buffer is cheaper than a gather


def _forget_pid_after_fork() -> None:
    global _server_pid
    _server_pid = os.getpid()


os.register_at_fork(after_in_child=_forget_pid_after_fork)
_generation_pool: ThreadPoolExecutor | None = None


def _generation_executor() -> ThreadPoolExecutor:
    """Threads that generate the next chunk of a large reply while the current one is sent
    (numpy releases the GIL while it generates, so the two overlap on separate cores)."""
    global _generation_pool
    if _generation_pool is None:
        _generation_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="ipclab-generate")
    return _generation_pool


def small_reply(source: RandomSource, request_id: int, count: int, lo: int, hi: int,
                start_ns: int) -> tuple[bytes, int]:
    """The whole reply to a request of at most SMALL_JOINED_VALUES values, in one bytes object
    (one CHUNK and the END; the END alone for a count of 0), and the nanoseconds spent generating.
    `start_ns` is when the request was received: the END's service time counts from it."""
    if not count:
        return _END_PACK(_MAGIC, _VERSION, _END_TYPE, 0, request_id, 0, _server_pid, 0, 0, _perf_ns() - start_ns), 0
    before = _perf_ns()
    values = source.wire_values(count, lo, hi)
    after = _perf_ns()
    return b"".join((
        _CHUNK_HEADER_PACK(_MAGIC, _VERSION, _CHUNK_TYPE, 0, request_id, count),
        values,
        _END_PACK(_MAGIC, _VERSION, _END_TYPE, 0, request_id, count, _server_pid, 0, after - before, after - start_ns),
    )), after - before


def serve_request(
    request: Request,
    channel: Channel,
    source: RandomSource,
    write_timeout: float,
    received_ns: int | None = None,
) -> ServiceResult:
    """Stream the reply to one valid request: CHUNK frames of at most MAX_CHUNK_VALUES, then END.

    A small reply goes out in one write; a large one is generated a chunk ahead of what is sent.
    """
    start = received_ns if received_ns is not None else _perf_ns()
    _, _, request_id, count, lo, hi, seed = request
    if seed is not None:
        source = RandomSource.for_request(seed)
    if count <= SMALL_JOINED_VALUES:
        data, generation_ns = small_reply(source, request_id, count, lo, hi, start)
        sent = channel.write_all([data], write_timeout)
        return _new_tuple(ServiceResult, (count, sent, generation_ns, _perf_ns() - start))
    if count <= SMALL_REPLY_VALUES:
        generation_ns = 0
        if count:
            before = _perf_ns()
            values = source.wire_values(count, lo, hi)
            after = _perf_ns()
            generation_ns = after - before
            end = _END_PACK(_MAGIC, _VERSION, _END_TYPE, 0, request_id, count, _server_pid, 0, generation_ns,
                            after - start)
            header = _CHUNK_HEADER_PACK(_MAGIC, _VERSION, _CHUNK_TYPE, 0, request_id, count)
            buffers = [header, values, end]
        else:
            buffers = [_END_PACK(_MAGIC, _VERSION, _END_TYPE, 0, request_id, 0, _server_pid, 0, 0, _perf_ns() - start)]
        sent = channel.write_all(buffers, write_timeout)
        return _new_tuple(ServiceResult, (count, sent, generation_ns, _perf_ns() - start))
    if hasattr(channel, "enlarge_buffers"):
        channel.enlarge_buffers()

    def generate(size: int) -> tuple[np.ndarray, int]:
        before = _perf_ns()
        values = source.wire_values(size, lo, hi)
        return values, _perf_ns() - before

    executor = _generation_executor()
    generation_ns = 0
    sent = 0
    remaining = count
    pending: Future = executor.submit(generate, min(remaining, protocol.MAX_CHUNK_VALUES))
    try:
        while remaining:
            size = min(remaining, protocol.MAX_CHUNK_VALUES)
            values, spent = pending.result()
            generation_ns += spent
            remaining -= size
            if remaining:  # the source is used by one generation at a time: safe without a lock
                pending = executor.submit(generate, min(remaining, protocol.MAX_CHUNK_VALUES))
            sent += channel.write_all([protocol.encode_chunk_header(request_id, size), values], write_timeout)
    finally:
        if remaining:
            pending.cancel()
            try:
                pending.result()  # never leave a generation running on this thread's source
            except Exception:  # noqa: BLE001 - cancelled or failed: nothing more to send anyway
                pass
    service_ns = _perf_ns() - start
    sent += channel.write_all([protocol.pack_end(request_id, count, _server_pid, generation_ns, service_ns)], write_timeout)
    return ServiceResult(count, sent, generation_ns, service_ns)


class FrameReader:
    """Buffered reading of reply frames from a channel, with zero-copy reads of large payloads."""

    BUFFER_SIZE = 65_536

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self._buffer = bytearray(self.BUFFER_SIZE)
        self._view = memoryview(self._buffer)
        self._start = 0
        self._end = 0
        self.first_byte_ns = 0
        self.bytes_read = 0

    def begin(self) -> None:
        """Forget timing of the previous exchange (buffered bytes, if any, are a protocol error)."""
        if self._start != self._end:
            raise ProtocolMismatch(f"{self._end - self._start} unexpected bytes after the previous reply")
        self._start = self._end = 0
        self.first_byte_ns = 0
        self.bytes_read = 0

    def _fill(self, timeout: float | None) -> None:
        if self._start == self._end:
            self._start = self._end = 0
        elif self._end == self.BUFFER_SIZE:
            size = self._end - self._start
            self._view[:size] = self._view[self._start:self._end]
            self._start, self._end = 0, size
        count = self.channel.read_into(self._view[self._end:], timeout)
        if count == 0:
            raise ServerVanished("the server closed the channel before the reply was complete")
        if not self.first_byte_ns:
            self.first_byte_ns = _perf_ns()
        self._end += count
        self.bytes_read += count

    def read_exact(self, size: int, timeout: float | None) -> memoryview:
        """Return a view of the next `size` bytes (size <= BUFFER_SIZE); valid until the next read."""
        start = self._start
        while self._end - start < size:
            self._fill(timeout)
            start = self._start
        self._start = start + size
        return self._view[start:start + size]

    def read_into(self, destination: memoryview, timeout: float | None) -> None:
        """Fill `destination` exactly: buffered bytes first, then straight from the channel."""
        size = len(destination)
        buffered = min(size, self._end - self._start)
        destination[:buffered] = self._view[self._start:self._start + buffered]
        self._start += buffered
        done = buffered
        while done < size:
            count = self.channel.read_into(destination[done:], timeout)
            if count == 0:
                raise ServerVanished("the server closed the channel in the middle of a chunk")
            if not self.first_byte_ns:
                self.first_byte_ns = _perf_ns()
            done += count
            self.bytes_read += count


def client_exchange(
    channel: Channel,
    reader: FrameReader,
    request: Request,
    timeout: float | None,
    sink: Sink | None = None,
    sink_buffer: np.ndarray | None = None,
) -> ExchangeResult:
    """Send one request and receive its whole reply.

    Without a sink the values are returned in one array of `request.count` (the caller chose that
    count). With a sink, each chunk is passed to it in a reused buffer, so memory stays bounded
    whatever the count. Raises ServerError, ProtocolMismatch, ServerVanished or TransportError.
    """
    reader.begin()
    count = request.count
    expected_id = request.request_id
    if sink is None:
        values = np.empty(count, dtype=WIRE_DTYPE)
    else:
        values = None
        if sink_buffer is None or len(sink_buffer) < min(count, protocol.MAX_CHUNK_VALUES):
            sink_buffer = np.empty(min(count, protocol.MAX_CHUNK_VALUES), dtype=WIRE_DTYPE)
    frame = protocol.encode_request(request)  # before the clock starts, as in the native engine
    send_ns = _perf_ns()
    try:
        channel.write_all([frame], timeout)
    except PeerClosed:
        refusal = _refusal_already_sent(reader, timeout)
        if refusal is not None:  # e.g. BUSY sent at accept time, then the server closed
            raise refusal from None
        raise
    received = 0
    read_exact = reader.read_exact
    decode_header = protocol.decode_reply_header
    while True:
        header = read_exact(_REPLY_HEADER_SIZE, timeout)
        try:
            frame_type, request_id, size = decode_header(header)
        except ProtocolError as error:
            raise ProtocolMismatch(f"bad reply frame: {error.message}") from None
        if frame_type == _ERROR_TYPE:
            code = int.from_bytes(header[12:14], "big")  # before the next read reuses the buffer
            message = reader.read_exact(size, timeout)
            raise ServerError(code, bytes(message).decode("utf-8", "replace"))
        if request_id != expected_id:
            raise ProtocolMismatch(f"reply for request {request_id}, expected {expected_id}")
        if frame_type == _CHUNK_TYPE:
            if received + size > count:
                raise ProtocolMismatch(f"server sent more than the {count} values requested")
            if values is not None:
                target = values if size == count else values[received:received + size]  # one chunk: no slice
                reader.read_into(memoryview(target).cast("B"), timeout)
            else:
                target = sink_buffer[:size]
                reader.read_into(memoryview(target).cast("B"), timeout)
                sink(target)
            received += size
            continue
        # Decode the header's fields before reading on: the next read may reuse its buffer space.
        (total,) = _END_COUNT.unpack_from(header, 12)
        rest = read_exact(_END_REST_SIZE, timeout)
        last_ns = _perf_ns()
        server_pid, generation_ns, service_ns = _END_REST.unpack_from(rest)
        if total != count or received != count:
            raise ProtocolMismatch(f"reply ended after {received} values (END says {total}), expected {count}")
        return ExchangeResult(
            request_id, count, values, send_ns, reader.first_byte_ns or last_ns, last_ns,
            server_pid, generation_ns, service_ns, reader.bytes_read,
        )


def _refusal_already_sent(reader: FrameReader, timeout: float | None) -> ServerError | None:
    """The ERROR frame a server sent before it closed the channel under our request (a server at
    capacity answers BUSY right after accepting), if it is there to read; else None."""
    wait = 1.0 if timeout is None else min(timeout, 1.0)
    try:
        header = reader.read_exact(protocol.REPLY_HEADER_SIZE, wait)
        frame_type, _, size = protocol.decode_reply_header(header)
        if frame_type != FrameType.ERROR:
            return None
        code = int.from_bytes(header[12:14], "big")
        message = reader.read_exact(size, wait)
    except (TransportError, ProtocolError):
        return None
    return ServerError(code, bytes(message).decode("utf-8", "replace"))


def error_code_for(exception: BaseException) -> int:
    """The protocol error code that best describes a failure, for records and ERROR frames."""
    if isinstance(exception, ServerError):
        return exception.code
    if isinstance(exception, ProtocolError):
        return exception.code
    return ErrorCode.INTERNAL
