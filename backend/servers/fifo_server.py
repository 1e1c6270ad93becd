"""`FifoServer`: the textbook multi-client FIFO server.

One listener thread reads every request from the well-known request FIFO; small requests are
answered inline (they fit in the reply pipe, so writing never blocks), larger ones go to a bounded
pool of worker threads. Each client's reply goes to its own reply FIFO in the private directory.
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
from backend.protocol.frames import ErrorCode, ProtocolError, Request
from backend.servers.events import EventWriter
from backend.servers.server import (
    Server,
    ServerConfig,
)
from backend.transports.base import (
    Cancelled,
    PeerClosed,
    TimedOut,
)
from backend.transports.fifo import FifoDirectory, FifoWriteChannel, ReplyFifoError

FIFO_INLINE_VALUES = 4096  # 16 KiB of values: always fits in a fresh pipe, so never blocks


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
        # Reply FIFOs kept open by the listener for small replies (LRU, bounded).
        self._reply_channels: OrderedDict[tuple[int, int], FifoWriteChannel] = OrderedDict()
        self._reply_cache_size = min(config.max_clients, 256)
        self.garbage_bytes = 0

    def start(self) -> str:
        self.directory.prepare()
        path = self.directory.request_path
        self._request_fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        # Holding a writer ourselves means the FIFO never reports end-of-file between clients.
        self._keepalive_fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        self._pool = ThreadPoolExecutor(max_workers=self.config.max_clients, thread_name_prefix="ipclab-fifo")
        self.address = self.directory.path
        return self.address

    def stop(self) -> None:
        super().stop()
        if self._keepalive_fd >= 0:  # wake the listener blocked in read()
            try:
                os.write(self._keepalive_fd, b"\0")
            except OSError:
                pass

    def serve_forever(self) -> None:
        """Read requests until stopped: a blocking read while idle, poll() while a request is partial."""
        poller = select.poll()
        poller.register(self._request_fd, select.POLLIN)
        poller.register(self.cancellation.fd, select.POLLIN)
        os.set_blocking(self._request_fd, True)
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
                        error=f"discarded {size_before - len(buffer)} bytes of an incomplete request after "
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
            buffer += data
            consumed = self._process_buffer(buffer)
            if consumed:
                del buffer[:consumed]
            if buffer and (not had_partial or consumed):
                partial_since = time.monotonic()

    def _process_buffer(self, buffer: bytearray) -> int:
        """Handle every complete request in `buffer`; return how many bytes were consumed."""
        position = 0
        size = len(buffer)
        view = memoryview(buffer)
        try:
            while size - position >= 4:
                start = buffer.find(protocol.MAGIC, position)
                if start < 0:
                    skipped = max(0, size - 3 - position)
                    self._report_garbage(skipped)
                    return position + skipped
                if start > position:
                    self._report_garbage(start - position)
                    position = start
                if size - position < protocol.REPLY_HEADER_SIZE:
                    return position
                length = int.from_bytes(buffer[position + 6:position + 8], "big")
                if not protocol.REQUEST_SIZE // 2 <= length <= protocol.PIPE_BUF:
                    position += 1  # cannot be a request: resynchronise on the next magic
                    continue
                if size - position < length:
                    return position
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
            self.events.client("client_error", client="?", error=f"skipped {count} bytes that were not a request")

    def _handle_frame(self, frame: memoryview, received_ns: int) -> None:
        pid, channel, request_id = protocol.peek_request_identity(frame)
        client = f"pid {pid}/{channel}"
        try:
            request = protocol.decode_request(frame, self.config.max_count, crc_checked=True)
        except ProtocolError as error:
            self.events.client("client_error", client=client, error=error.message, code=int(error.code))
            self._reply_error(pid, channel, request_id, error.code, error.message)
            return
        key = (pid, channel)
        with self._known_clients_lock:  # workers forget clients concurrently
            new_client = self._known_clients.pop(key, True)
            self._known_clients[key] = None
            if len(self._known_clients) > 4096:
                self._known_clients.popitem(last=False)
        if new_client:
            self.events.client("client_connected", client=client)
        if request.count <= FIFO_INLINE_VALUES:
            self._serve_fifo(request, client, received_ns, inline=True)
            return
        with self._in_flight_lock:
            busy = self._in_flight >= self.config.max_clients
            if not busy:
                self._in_flight += 1
        if busy:
            self._reply_error(pid, channel, request_id, ErrorCode.BUSY,
                              f"server busy: {self.config.max_clients} large replies in progress")
            self.events.client("client_error", client=client, error="busy: too many replies in progress")
            return
        assert self._pool is not None
        try:
            self._pool.submit(self._serve_in_worker, request, client, received_ns)
        except RuntimeError:  # no thread can be started (or shutting down): BUSY, keep serving
            with self._in_flight_lock:
                self._in_flight -= 1
            self._reply_error(request.pid, request.channel, request.request_id, ErrorCode.BUSY,
                              "server busy: cannot start a worker")

    def _serve_in_worker(self, request: Request, client: str, received_ns: int) -> None:
        try:
            self._serve_fifo(request, client, received_ns, inline=False)
        finally:
            with self._in_flight_lock:
                self._in_flight -= 1

    def _cached_reply_channel(self, pid: int, channel: int) -> FifoWriteChannel:
        key = (pid, channel)
        reply = self._reply_channels.get(key)
        if reply is not None:
            self._reply_channels.move_to_end(key)
            return reply
        reply = FifoWriteChannel(self.directory.open_reply(pid, channel), self.cancellation)
        self._reply_channels[key] = reply
        if len(self._reply_channels) > self._reply_cache_size:
            self._reply_channels.popitem(last=False)[1].close()
        return reply

    def _drop_reply_channel(self, pid: int, channel: int) -> None:
        reply = self._reply_channels.pop((pid, channel), None)
        if reply is not None:
            reply.close()

    def _serve_fifo(self, request: Request, client: str, received_ns: int, inline: bool) -> None:
        """Write one reply. Inline (small) replies reuse the listener's open reply FIFO; a reply
        that fits in an empty pipe goes out in one write, so a broken pipe means nothing was
        sent and the FIFO is reopened once (the client may have been replaced under that name)."""
        key = (request.pid, request.channel)
        attempts = 2 if inline else 1
        for attempt in range(attempts):
            try:
                if inline:
                    reply = self._cached_reply_channel(*key)
                else:
                    reply = FifoWriteChannel(self.directory.open_reply(*key), self.cancellation)
            except ReplyFifoError as error:
                self._forget(request)
                self.events.client("client_gone", client=client, reason=str(error))
                return
            try:
                # A short timeout for inline replies guards against a client that sent several
                # requests without reading, so the listener is never held up for long.
                timeout = 0.05 if inline else self.config.write_timeout
                self._serve_one(request, reply, client, received_ns, timeout)
                return
            except Cancelled:
                return
            except PeerClosed:
                if inline:
                    self._drop_reply_channel(*key)
                if attempt + 1 < attempts:
                    continue
                self._forget(request)
                self.events.client("client_gone", client=client, reason="closed its reply FIFO")
            except TimedOut:
                if inline:
                    self._drop_reply_channel(*key)
                self.events.client("client_error", client=client, error="not reading its reply; dropped")
            except Exception as error:  # noqa: BLE001 - one request's failure must not stop the server
                if inline:
                    self._drop_reply_channel(*key)
                self.events.client("client_error", client=client, error=f"internal error: {error!r}")
            finally:
                if not inline:
                    reply.close()
            return

    def _forget(self, request: Request) -> None:
        with self._known_clients_lock:
            self._known_clients.pop((request.pid, request.channel), None)

    def _reply_error(self, pid: int, channel: int, request_id: int, code: int, message: str) -> None:
        try:
            fd = self.directory.open_reply(pid, channel)
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
        for reply in self._reply_channels.values():
            reply.close()
        self._reply_channels.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        for fd in (self._request_fd, self._keepalive_fd):
            if fd >= 0:
                os.close(fd)
        self._request_fd = self._keepalive_fd = -1
        self.directory.remove()
