"""`FifoServer`: the textbook multi-client FIFO server.

One listener thread reads every request from the well-known request FIFO; small requests are
answered inline (they fit in the reply pipe, so writing never blocks), larger ones go to a bounded
pool of worker threads. Each client's reply goes to its own reply FIFO in the private directory.
Every descriptor it holds is budgeted against RLIMIT_NOFILE (descriptors.py, reply_cache.py), and
a reply whose client gave up on it is stopped at once (FifoWriteChannel's watch_reader).
"""

from __future__ import annotations

import os
import select
import threading
import time
import zlib
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from backend.protocol import frames as protocol
from backend.protocol.engine import small_reply
from backend.protocol.frames import ErrorCode, ProtocolError, Request
from backend.servers.descriptors import client_descriptor_budget
from backend.servers.events import EventWriter
from backend.servers.fifo_resync import magic_prefix_at_end, next_valid_request
from backend.servers.reply_cache import ReplyFifoCache, open_with_shedding
from backend.servers.server import (
    Server,
    ServerConfig,
)
from backend.transports.base import (
    Cancelled,
    PeerClosed,
    TimedOut,
)
from backend.transports.fifo import (
    FifoDirectory,
    FifoWriteChannel,
    OutOfDescriptors,
    ReplyFifoError,
)

FIFO_INLINE_VALUES = 4096  # 16 KiB of values: always fits in a fresh pipe, so never blocks
# Replies of up to this many values fit in PIPE_BUF (one atomic write): the listener's quick path.
QUICK_REPLY_VALUES = (protocol.PIPE_BUF - protocol.REPLY_HEADER_SIZE - protocol.END_SIZE) // 4
REPLY_CACHE_LIMIT = 256  # open reply FIFOs kept by the listener, at most (and a quarter of the budget)
ERROR_REPLY_DESCRIPTORS = 2  # kept free for the descriptor an ERROR reply opens for a moment
INLINE_WRITE_TIMEOUT = 0.05  # seconds: a client that sent several requests without reading never holds the listener up
CLIENT_SWEEP_INTERVAL = 0.5  # seconds between checks for clients that removed their reply FIFO
# How the server opens its request FIFO: to read (O_NONBLOCK so that open() does not wait for a
# first client; the descriptor is made blocking afterwards), and to write, to keep it open.
REQUEST_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
REQUEST_KEEPALIVE_FLAGS = os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC


_REQUEST_SIZE = protocol.REQUEST_SIZE
_CRC_OFFSET = protocol.REQUEST_CRC_OFFSET
_PREFIX = protocol.PREFIX
_V1_PREFIX = (protocol.MAGIC, protocol.VERSION, int(protocol.FrameType.REQUEST), protocol.REQUEST_SIZE)
_CRC = protocol.CRC
_crc32 = zlib.crc32
_perf_ns = time.perf_counter_ns


def _bytes(count: int) -> str:
    return "1 byte" if count == 1 else f"{count} bytes"


class FifoServer(Server):
    """The textbook FIFO server: one well-known request FIFO, one reply FIFO per client."""

    def __init__(self, config: ServerConfig, events: EventWriter) -> None:
        super().__init__(config, events)
        from backend.transports.fifo import default_fifo_directory

        self.directory = FifoDirectory(config.address or default_fifo_directory())
        self._request_fd = -1
        self._keepalive_fd = -1
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight = 0
        self._in_flight_lock = threading.Lock()
        self._known_clients: OrderedDict[tuple[int, int], None] = OrderedDict()
        self._known_clients_lock = threading.Lock()
        self._last_client: tuple[int, int] | None = None  # the listener's last key in _known_clients
        # Descriptors: a quarter of the budget for cached reply FIFOs, the rest for workers (one
        # reply FIFO each) and the ERROR replies opened for a moment.
        budget = client_descriptor_budget()
        cache_size = max(1, min(config.max_clients, REPLY_CACHE_LIMIT, budget // 4))
        self.max_workers = max(1, min(config.max_clients, budget - cache_size - ERROR_REPLY_DESCRIPTORS))
        self._native_listener = None  # with the native engine: the listener runs in C (backend/native/fifo_plane.py)
        if self.native is not None:
            from backend.native.fifo_plane import NativeFifoListener, NativeReplyCache

            self._reply_cache = NativeReplyCache(self.cancellation, cache_size)
            self._native_listener = NativeFifoListener(self, self.native, self._reply_cache, FIFO_INLINE_VALUES,
                                                       INLINE_WRITE_TIMEOUT)
        else:
            self._reply_cache = ReplyFifoCache(self.directory, self.cancellation, cache_size)
        # Replies being written by workers, by client: a new request from that client abandons it.
        self._active_replies: dict[tuple[int, int], FifoWriteChannel] = {}
        self._active_lock = threading.Lock()
        self.garbage_bytes = 0
        self._sweeper: threading.Thread | None = None
        self._exchange_lines = events.exchange_lines
        self._listener_source = None  # the listener thread's RandomSource, for the quick path

    def start(self) -> str:
        self.directory.prepare()
        path = self.directory.request_path
        self._request_fd = os.open(path, REQUEST_READ_FLAGS)
        # Holding a writer ourselves means the FIFO never reports end-of-file between clients.
        self._keepalive_fd = os.open(path, REQUEST_KEEPALIVE_FLAGS)
        self._pool = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="ipclab-fifo")
        self.address = self.directory.path
        return self.address

    def stop(self) -> None:
        super().stop()
        if self._native_listener is not None:
            self._native_listener.request_stop()
        if self._keepalive_fd >= 0:  # wake the listener blocked in read()
            try:
                os.write(self._keepalive_fd, b"\0")
            except OSError:
                pass

    def serve_forever(self) -> None:
        """Read requests until stopped: a blocking read while idle, poll() while a request is
        partial. A thread of its own closes cached reply FIFOs of clients that left."""
        self._spawn(self._reply_cache.prune_until_cancelled, name="ipclab-fifo-prune")
        poller = select.poll()
        poller.register(self._request_fd, select.POLLIN)
        poller.register(self.cancellation.fd, select.POLLIN)
        os.set_blocking(self._request_fd, True)
        self._sweeper = threading.Thread(target=self._sweep_clients, name="ipclab-fifo-clients", daemon=True)
        self._sweeper.start()
        try:
            if self._native_listener is not None:
                self._native_listener.serve(self._request_fd, self.directory.descriptor)
            else:
                self._read_requests(poller)
        finally:
            self.cancellation.cancel()
            self._sweeper.join(timeout=2)

    def _sweep_clients(self) -> None:
        """A FIFO client has no connection to close: it is gone when its reply FIFO is. Reporting that
        as `client_gone` makes FIFO servers count active clients as socket servers do."""
        while not self.cancellation.wait(CLIENT_SWEEP_INTERVAL):
            with self._known_clients_lock:
                known = list(self._known_clients)
            for pid, channel in known:
                if self.directory.has_reply(pid, channel):
                    continue
                with self._known_clients_lock:
                    if (pid, channel) not in self._known_clients:
                        continue  # forgotten meanwhile (and reported) by a worker
                    del self._known_clients[(pid, channel)]
                self.events.client("client_gone", client=f"pid {pid}/{channel}", reason="removed its reply FIFO")

    def _read_requests(self, poller: select.poll) -> None:
        buffer = bytearray()
        partial_since = 0.0
        fd = self._request_fd
        while not self.cancellation.cancelled:
            if buffer:
                waited = time.monotonic() - partial_since
                events = poller.poll(max(1, int((self.config.request_timeout - waited) * 1000)))
                if any(event_fd == self.cancellation.fd for event_fd, _ in events):
                    return
                if not events:
                    # The frame at the head never completed: it was a fragment or garbage. Drop
                    # its first byte only and rescan, so a genuine request behind it is kept.
                    size_before = len(buffer)
                    del buffer[:1]
                    consumed = self._process_buffer(buffer)
                    del buffer[:consumed]
                    self.events.client(
                        "client_error", client="?",
                        error=f"discarded {_bytes(size_before - len(buffer))} of an incomplete request after "
                              f"{self.config.request_timeout:g} s",
                    )
                    self.garbage_bytes += size_before - len(buffer)
                    partial_since = time.monotonic()
                    continue
            data = os.read(fd, 65536)
            if self.cancellation.cancelled:
                return
            if not data:
                continue
            had_partial = bool(buffer)
            if not had_partial:  # the usual case: whole requests, read straight from `data`
                consumed = self._process_buffer(data)
                if consumed < len(data):
                    buffer += memoryview(data)[consumed:]
                    partial_since = time.monotonic()
                continue
            buffer += data
            consumed = self._process_buffer(buffer)
            if consumed:
                del buffer[:consumed]
            if buffer and (not had_partial or consumed):
                partial_since = time.monotonic()

    def _process_buffer(self, buffer: bytes | bytearray) -> int:
        """Handle every complete request in `buffer`; return how many bytes were consumed.

        A version-1 request is always 48 bytes, so a candidate of version 1 is judged as soon as
        48 bytes are in: a wrong length or a failed CRC resynchronises at the next magic at once.
        A candidate that is still incomplete never holds up a complete, valid request behind it.
        """
        position = 0
        size = len(buffer)
        view = memoryview(buffer)
        handle_frame = self._handle_frame
        try:
            while position < size:
                # The common case first: a whole, valid version-1 request right here (the same
                # checks as below, in one test); anything else takes the careful path below.
                if (size - position >= _REQUEST_SIZE and _PREFIX.unpack_from(buffer, position) == _V1_PREFIX
                        and _crc32(view[position:position + _CRC_OFFSET])
                        == _CRC.unpack_from(buffer, position + _CRC_OFFSET)[0]):
                    handle_frame(view[position:position + _REQUEST_SIZE], _perf_ns())
                    position += _REQUEST_SIZE
                    continue
                start = buffer.find(protocol.MAGIC, position)
                if start < 0:
                    # Keep only a tail that could still become the magic; the rest is garbage now.
                    skipped = size - position - magic_prefix_at_end(buffer, position)
                    self._report_garbage(skipped)
                    return position + skipped
                if start > position:
                    self._report_garbage(start - position)
                    position = start
                if size - position < protocol.PREFIX.size:
                    later = next_valid_request(buffer, position + 1, size)
                    if later < 0:
                        return position
                    self._report_garbage(later - position)
                    position = later
                    continue
                version = buffer[position + 4]
                length = int.from_bytes(buffer[position + 6:position + 8], "big")
                if version == protocol.VERSION and length != protocol.REQUEST_SIZE:
                    position += 1  # a version-1 request is 48 bytes: resynchronise at once
                    continue
                if not protocol.REQUEST_SIZE // 2 <= length <= protocol.PIPE_BUF:
                    position += 1  # cannot be a request of any version: resynchronise
                    continue
                if size - position < length:
                    later = next_valid_request(buffer, position + 1, size)
                    if later < 0:
                        return position
                    self._report_garbage(later - position)  # a fragment ahead of a whole request
                    position = later
                    continue
                frame = view[position:position + length]
                crc = int.from_bytes(frame[length - 4:length], "big")
                if zlib.crc32(frame[:length - 4]) != crc:
                    position += 1
                    continue
                received_ns = time.perf_counter_ns()
                self._handle_frame(frame, received_ns)
                position += length
            return position
        finally:
            view.release()

    def _report_garbage(self, count: int) -> None:
        if count > 0:
            self.garbage_bytes += count
            self.events.client("client_error", client="?", error=f"skipped {_bytes(count)} that were not a request")

    def _handle_frame(self, frame: memoryview, received_ns: int) -> None:
        try:
            request = protocol.decode_request(frame, self.config.max_count, crc_checked=True)
        except ProtocolError as error:
            pid, channel, request_id = protocol.peek_request_identity(frame)
            self.events.client("client_error", client=f"pid {pid}/{channel}", error=error.message,
                               code=int(error.code))
            self._reply_error(pid, channel, request_id, error.code, error.message)
            return
        pid, channel = key = request[:2]
        if key != self._last_client or key not in self._known_clients:
            self.note_client(key, f"pid {pid}/{channel}")  # (note_client's own first test, inline)
        if self._active_replies:
            self.abandon_reply_of(key)
        count = request.count
        if count <= QUICK_REPLY_VALUES and request.seed is None and not self._exchange_lines:
            if self._quick_reply(request, key, received_ns):
                return
        client = f"pid {pid}/{channel}"
        if count <= FIFO_INLINE_VALUES:
            self._serve_fifo(request, client, received_ns, inline=True)
            return
        self.serve_large(request, client, received_ns)

    def _quick_reply(self, request: Request, key: tuple[int, int], received_ns: int) -> bool:
        """The listener's quick path for the commonest request: a small seedless one from a client
        whose reply FIFO is open already, and no exchange events to write. The reply fits in
        PIPE_BUF, so its one write() is atomic: all of it went out, or nothing did. Returns False
        when it could not be written at once (a full pipe, a reader gone): `_serve_fifo` then
        serves the request as usual, with its timeout, its reopening and its reports."""
        cache = self._reply_cache
        reply = cache.acquire_cached(key)
        if reply is None:
            return False
        try:
            source = self._listener_source
            if source is None:
                source = self._listener_source = self.random_source()
            data, _ = small_reply(source, request.request_id, request.count, request.lo, request.hi, received_ns)
            try:
                written = os.write(reply.write_fd, data)
            except OSError:
                return False
        finally:
            cache.release(reply)
        self.events.count_reply(request.count, written)
        return True

    def note_client(self, key: tuple[int, int], client: str) -> None:
        """A request from `key` (pid, channel): reported as `client_connected` if it is new.
        Called by the listener thread only (the native listener's events come on it too)."""
        known = self._known_clients
        # The same client as last time, still known: it is already the most recent entry (other
        # threads only remove entries, and `in` is atomic), so there is nothing to reorder.
        if key != self._last_client or key not in known:
            with self._known_clients_lock:  # workers forget clients concurrently
                new_client = key not in known
                if new_client:
                    known[key] = None
                    if len(known) > 4096:
                        known.popitem(last=False)
                else:
                    known.move_to_end(key)
            self._last_client = key
            if new_client:
                self.events.client("client_connected", client=client)

    def abandon_reply_of(self, key: tuple[int, int]) -> None:
        """Requests are sequential per client: a new one means it gave up on the reply still being
        written. Stop that reply, so its rest never reaches whoever reads next."""
        previous = self._active_replies.get(key)  # a dict lookup is atomic: no lock on the hot path
        if previous is not None:
            previous.abandon()

    def client_left(self, key: tuple[int, int], client: str, reason: str) -> None:
        """The client's reply FIFO is gone or closed: reported once as `client_gone`."""
        if self._forget(key):
            self.events.client("client_gone", client=client, reason=reason)

    def serve_large(self, request: Request, client: str, received_ns: int) -> None:
        """A reply too large to write inline goes to a worker thread, or is refused with BUSY."""
        pid, channel, request_id = request.pid, request.channel, request.request_id
        with self._in_flight_lock:
            busy = self._in_flight >= self.max_workers
            if not busy:
                self._in_flight += 1
        if busy:
            self._reply_error(pid, channel, request_id, ErrorCode.BUSY,
                              f"server busy: {self.max_workers} large replies in progress")
            self.events.client("client_error", client=client, error="busy: too many replies in progress")
            return
        assert self._pool is not None
        try:
            self._pool.submit(self._serve_in_worker, request, client, received_ns)
        except RuntimeError:  # no thread can be started (or shutting down): BUSY, keep serving
            with self._in_flight_lock:
                self._in_flight -= 1
            self._reply_error(pid, channel, request_id, ErrorCode.BUSY, "server busy: cannot start a worker")

    def _serve_in_worker(self, request: Request, client: str, received_ns: int) -> None:
        try:
            self._serve_fifo(request, client, received_ns, inline=False)
        finally:
            with self._in_flight_lock:
                self._in_flight -= 1

    def _shed_for(self, client: str):
        def shed(error: OutOfDescriptors) -> None:
            self.events.client("client_error", client=client,
                               error=f"{error}: closed a cached reply FIFO and retried")
        return shed

    def _open_worker_reply(self, request: Request, client: str) -> FifoWriteChannel:
        """A worker's reply channel: a fresh one, watched for the client abandoning it; at EMFILE a
        cached descriptor is shed and the open retried."""
        pid, channel = request.pid, request.channel
        fd = open_with_shedding(self._reply_cache, lambda: self.directory.open_reply(pid, channel),
                                self._shed_for(client))
        return FifoWriteChannel(fd, self.cancellation, watch_reader=True)

    def _serve_fifo(self, request: Request, client: str, received_ns: int, inline: bool) -> None:
        """Write one reply. Inline (small) replies reuse the listener's open reply FIFO; a reply
        that fits in an empty pipe goes out in one write, so a broken pipe means nothing was
        sent and the FIFO is reopened once (the client may have been replaced under that name).
        A worker's reply is watched: it stops as soon as the client abandons it."""
        key = request[:2]  # (pid, channel)
        attempts = 2 if inline else 1
        cache = self._reply_cache
        for attempt in range(attempts):
            try:
                if inline:  # the listener's cached reply FIFO, released after the write
                    try:
                        reply = cache.acquire(*key)
                    except OutOfDescriptors:  # rare: shed cached descriptors and retry, as workers do
                        reply = open_with_shedding(cache, lambda: cache.acquire(*key), self._shed_for(client))
                else:
                    reply = self._open_worker_reply(request, client)
            except OutOfDescriptors as error:
                self.events.client("client_error", client=client, error=f"reply dropped: {error}")
                return
            except ReplyFifoError as error:
                self.client_left(key, client, str(error))
                return
            if not inline:
                with self._active_lock:
                    self._active_replies[key] = reply
                    self._count_worker_replies()
            broken = True
            try:
                # A short timeout for inline replies guards against a client that sent several
                # requests without reading, so the listener is never held up for long.
                timeout = INLINE_WRITE_TIMEOUT if inline else self.config.write_timeout
                self._serve_one(request, reply, client, received_ns, timeout)
                broken = False
                return
            except Cancelled:
                return
            except PeerClosed as error:
                if attempt + 1 < attempts:
                    continue
                self.client_left(key, client, str(error) if "abandoned" in str(error) else "closed its reply FIFO")
            except TimedOut:
                self.events.client("client_error", client=client, error="not reading its reply; dropped")
            except Exception as error:  # noqa: BLE001 - one request's failure must not stop the server
                self.events.client("client_error", client=client, error=f"internal error: {error!r}")
            finally:
                if inline:
                    self._reply_cache.release(reply, broken=broken)
                else:
                    with self._active_lock:
                        if self._active_replies.get(key) is reply:
                            del self._active_replies[key]
                        self._count_worker_replies()
                    reply.close()
            return

    def _count_worker_replies(self) -> None:
        """Tell the native listener how many large replies are being written (under _active_lock):
        while there are any, it reports each request so that abandon_reply_of can run."""
        if self._native_listener is not None:
            self._native_listener.worker_replies.value = len(self._active_replies)

    def _forget(self, key: tuple[int, int]) -> bool:
        """Forget a client; False if it was already forgotten (its departure is reported once)."""
        with self._known_clients_lock:
            return self._known_clients.pop(key, False) is None

    def _reply_error(self, pid: int, channel: int, request_id: int, code: int, message: str) -> None:
        client = f"pid {pid}/{channel}"
        try:
            fd = open_with_shedding(self._reply_cache, lambda: self.directory.open_reply(pid, channel),
                                    self._shed_for(client))
        except OutOfDescriptors as error:
            self.events.client("client_error", client=client, error=f"error reply dropped: {error}")
            return
        except ReplyFifoError:
            return
        try:
            os.write(fd, protocol.encode_error(request_id, code, message))
        except OSError:
            pass
        finally:
            os.close(fd)

    def close(self) -> None:
        if self.native is not None:
            self.native.close()
        self._reply_cache.close()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        for fd in (self._request_fd, self._keepalive_fd):
            if fd >= 0:
                os.close(fd)
        self._request_fd = self._keepalive_fd = -1
        self.directory.remove()
