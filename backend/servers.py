"""Servers for the three transports, sharing the protocol engine and the event writer.

Socket servers (TCP, Unix) run one thread per connection, capped at `max_clients`: a client over
the cap gets a BUSY error frame. The FIFO server reads every request from the well-known FIFO in
one listener thread, answers small requests inline (they fit in the reply pipe, so writing never
blocks) and hands larger ones to a bounded pool of worker threads. Every wait has a timeout and
every thread watches one Cancellation, so `stop()` from any thread ends the server promptly.
"""

from __future__ import annotations

import os
import select
import socket
import sys
import threading
import time
import zlib
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from backend import protocol
from backend.cancel import Cancellation
from backend.engine import RandomSource, serve_request
from backend.events import EventWriter
from backend.protocol import ErrorCode, ProtocolError, Request
from backend.transports.base import Cancelled, Channel, PeerClosed, TimedOut, TransportError
from backend.transports.fifo import FifoDirectory, FifoWriteChannel, ReplyFifoError
from backend.transports.sockets import SocketChannel
from backend.transports.tcp import format_tcp_address, listen_tcp, socket_address
from backend.transports.unix import listen_unix

DEFAULT_MAX_CLIENTS = 512
DEFAULT_IDLE_TIMEOUT = 60.0
DEFAULT_REQUEST_TIMEOUT = 5.0
DEFAULT_WRITE_TIMEOUT = 10.0
FIFO_INLINE_VALUES = 4096  # 16 KiB of values: always fits in a fresh pipe, so never blocks
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


class SocketServer(Server):
    """TCP or Unix-domain stream server: thread per connection, many requests per connection."""

    def __init__(self, config: ServerConfig, events: EventWriter) -> None:
        super().__init__(config, events)
        self.listener: socket.socket | None = None
        self._connections = 0
        self._connections_lock = threading.Lock()
        self._unix_path: str | None = None
        self._unix_identity: tuple[int, int] = (0, 0)

    def start(self) -> str:
        if self.config.transport == "tcp":
            from backend.transports.tcp import parse_tcp_address

            host, port = parse_tcp_address(self.config.address, allow_port_zero=True) if self.config.address else ("127.0.0.1", 0)
            self.listener = listen_tcp(host, port, backlog=min(self.config.max_clients, 4096))
            self.address = socket_address(self.listener)
        else:
            from backend.clients import default_unix_path
            from backend.transports.fifo import ensure_private_directory, runtime_base_directory

            path = os.path.abspath(self.config.address or default_unix_path())
            if not self.config.address:
                ensure_private_directory(runtime_base_directory())
            self.listener = listen_unix(path, backlog=min(self.config.max_clients, 4096))
            self._unix_path = path
            info = os.lstat(path)
            self._unix_identity = (info.st_dev, info.st_ino)
            self.address = path
        self.listener.setblocking(False)
        return self.address

    def serve_forever(self) -> None:
        assert self.listener is not None
        poller = select.poll()
        poller.register(self.listener.fileno(), select.POLLIN)
        poller.register(self.cancellation.fd, select.POLLIN)
        while not self.cancellation.cancelled:
            for fd, _ in poller.poll():
                if fd == self.cancellation.fd:
                    return
            while True:
                try:
                    conn, peer = self.listener.accept()
                except (BlockingIOError, InterruptedError):
                    break
                except OSError as error:  # EMFILE and friends: report, keep serving the others
                    self.events.client("client_error", client="?", error=f"accept failed: {error.strerror}")
                    time.sleep(0.01)
                    break
                self._admit(conn, peer)

    def _peer_name(self, peer: object) -> str:
        if self.config.transport == "tcp" and isinstance(peer, tuple):
            return format_tcp_address(peer[0], peer[1])
        return f"unix:{id(peer) & 0xFFFF:04x}" if not peer else str(peer)

    def _admit(self, conn: socket.socket, peer: object) -> None:
        with self._connections_lock:
            over = self._connections >= self.config.max_clients
            if not over:
                self._connections += 1
        if over:
            try:
                conn.setblocking(False)
                conn.send(protocol.encode_error(0, ErrorCode.BUSY, f"server busy: {self.config.max_clients} clients already"))
            except OSError:
                pass
            conn.close()
            self.events.client("client_error", client=self._peer_name(peer), error="busy: too many clients")
            return
        if self.config.transport == "tcp":
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self._spawn(self._handle, conn, peer, name="ipclab-conn")
        except RuntimeError:  # cannot start a thread: shed this client, keep the others
            conn.close()
            with self._connections_lock:
                self._connections -= 1

    def _handle(self, conn: socket.socket, peer: object) -> None:
        name = self._peer_name(peer)
        if self.config.transport == "unix":
            name = f"unix#{conn.fileno()}"
            peer_credentials = getattr(socket, "SO_PEERCRED", None)  # Linux; macOS has LOCAL_PEERPID
            if peer_credentials is not None:
                try:
                    creds = conn.getsockopt(socket.SOL_SOCKET, peer_credentials, 12)
                    name = f"pid {int.from_bytes(creds[:4], sys.byteorder)}"
                except OSError:
                    pass
        channel = SocketChannel(conn, self.cancellation)
        self.events.client("client_connected", client=name)
        gone_reason = "closed the connection"
        try:
            self._connection_loop(channel, name)
        except Cancelled:
            gone_reason = "server stopping"
        except PeerClosed as error:
            gone_reason = str(error)
        except TimedOut as error:
            gone_reason = f"dropped: {error}"
            self.events.client("client_error", client=name, error=str(error))
        except (TransportError, OSError) as error:
            gone_reason = f"dropped: {error}"
            self.events.client("client_error", client=name, error=str(error))
        finally:
            channel.close()
            with self._connections_lock:
                self._connections -= 1
            self.events.client("client_gone", client=name, reason=gone_reason)

    def _send_error(self, channel: Channel, request_id: int, code: int, message: str) -> None:
        try:
            channel.write_all([protocol.encode_error(request_id, code, message)], 1.0)
        except TransportError:
            pass

    def _connection_loop(self, channel: SocketChannel, name: str) -> None:
        frame = bytearray(protocol.REQUEST_SIZE)
        view = memoryview(frame)
        config = self.config
        while True:
            got = channel.read_into(view, config.idle_timeout)
            if got == 0:
                return
            deadline = time.monotonic() + config.request_timeout  # from the first byte, not per recv
            while got < protocol.REQUEST_SIZE:
                try:
                    more = channel.read_into(view[got:], max(0.001, deadline - time.monotonic()))
                except TimedOut:
                    self._send_error(channel, 0, ErrorCode.TIMEOUT, f"incomplete request: {got} of 48 bytes")
                    raise TimedOut(f"sent {got} of 48 request bytes then stalled") from None
                if more == 0:
                    raise PeerClosed(f"closed the connection after {got} of 48 request bytes")
                got += more
            received_ns = time.perf_counter_ns()
            try:
                request = protocol.decode_request(view, config.max_count)
            except ProtocolError as error:
                if error.code in _VALUE_ERRORS:
                    _, _, request_id = protocol.peek_request_identity(view)
                    self._send_error(channel, request_id, error.code, error.message)
                    self.events.client("client_error", client=name, error=error.message, code=int(error.code))
                    continue
                self._send_error(channel, 0, error.code, error.message)
                self.events.client("client_error", client=name, error=error.message, code=int(error.code))
                return  # framing is lost: close the connection
            self._serve_one(request, channel, name, received_ns, config.write_timeout)

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        if self._unix_path:
            try:  # only our own socket file: another server may have replaced it since
                info = os.lstat(self._unix_path)
                if (info.st_dev, info.st_ino) == self._unix_identity:
                    os.unlink(self._unix_path)
            except FileNotFoundError:
                pass
            self._unix_path = None


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


def make_server(config: ServerConfig, events: EventWriter) -> Server:
    """The server class for `config.transport`."""
    if config.transport == "fifo":
        return FifoServer(config, events)
    if config.transport in ("tcp", "unix"):
        return SocketServer(config, events)
    raise ValueError(f"unknown transport {config.transport!r}")
