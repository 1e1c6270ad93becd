"""`SocketServer`: TCP and Unix-socket servers, one thread per connection, capped at `max_clients`.

A client over the cap gets a BUSY error frame; every wait has a timeout and watches the server's
Cancellation. Connections are also capped by the descriptor budget (RLIMIT_NOFILE less headroom):
at that cap the listener stops accepting for up to PAUSE_AT_DESCRIPTOR_CAP (new clients wait in
the kernel's backlog and are accepted as soon as a connection ends), then refuses one with BUSY.
At EMFILE, a spare descriptor lets it accept and refuse the pending client instead of spinning.
"""

from __future__ import annotations

import os
import select
import socket
import sys
import threading
import time

from backend.protocol import frames as protocol
from backend.protocol.frames import ErrorCode, ProtocolError
from backend.servers.descriptors import SpareDescriptor, client_descriptor_budget, out_of_descriptors
from backend.servers.events import EventWriter
from backend.servers.server import (
    _VALUE_ERRORS,
    Server,
    ServerConfig,
)
from backend.transports.base import (
    Cancelled,
    Channel,
    PeerClosed,
    TimedOut,
    TransportError,
)
from backend.transports.sockets import SocketChannel, drain_socket
from backend.transports.tcp import format_tcp_address, listen_tcp, socket_address
from backend.transports.unix import listen_unix

PAUSE_AT_DESCRIPTOR_CAP = 1.0  # seconds new clients wait in the backlog at the cap before one gets BUSY


class SocketServer(Server):
    """TCP or Unix-domain stream server: thread per connection, many requests per connection."""

    def __init__(self, config: ServerConfig, events: EventWriter) -> None:
        super().__init__(config, events)
        self.listener: socket.socket | None = None
        self._connections = 0
        self._connections_lock = threading.Lock()
        self._connection_ended = threading.Condition(self._connections_lock)
        # One descriptor per connection; one more is the spare for accept() at EMFILE.
        self.max_connections = max(1, min(config.max_clients, client_descriptor_budget() - 1))
        self._spare: SpareDescriptor | None = None
        self._unix_path: str | None = None
        self._unix_identity: tuple[int, int] = (0, 0)

    def start(self) -> str:
        if self.config.transport == "tcp":
            from backend.transports.tcp import parse_tcp_address

            host, port = parse_tcp_address(self.config.address, allow_port_zero=True) if self.config.address else ("127.0.0.1", 0)
            self.listener = listen_tcp(host, port, backlog=min(self.config.max_clients, 4096))
            self.address = socket_address(self.listener)
        else:
            from backend.clients.client import default_unix_path
            from backend.transports.fifo import (
                ensure_private_directory,
                runtime_base_directory,
            )

            path = os.path.abspath(self.config.address or default_unix_path())
            if not self.config.address:
                ensure_private_directory(runtime_base_directory())
            self.listener = listen_unix(path, backlog=min(self.config.max_clients, 4096))
            self._unix_path = path
            info = os.lstat(path)
            self._unix_identity = (info.st_dev, info.st_ino)
            self.address = path
        self.listener.setblocking(False)
        self._spare = SpareDescriptor()  # before the ready line: from then on we may be at the limit
        return self.address

    def serve_forever(self) -> None:
        assert self.listener is not None
        if self._spare is None:
            self._spare = SpareDescriptor()
        poller = select.poll()
        poller.register(self.listener.fileno(), select.POLLIN)
        poller.register(self.cancellation.fd, select.POLLIN)
        while not self.cancellation.cancelled:
            descriptors_bind = self.max_connections < self.config.max_clients  # else BUSY at once
            if descriptors_bind and not self._wait_for_a_descriptor():
                self._refuse_one(f"all {self.max_connections} connections the descriptor limit allows are open")
                continue
            for fd, _ in poller.poll():
                if fd == self.cancellation.fd:
                    return
            while not self.cancellation.cancelled:
                try:
                    conn, peer = self.listener.accept()
                except (BlockingIOError, InterruptedError):
                    break
                except OSError as error:
                    if not out_of_descriptors(error):
                        self.events.client("client_error", client="?", error=f"accept failed: {error.strerror}")
                        self.cancellation.wait(0.01)
                        break
                    self._refuse_one(f"accept failed: {error.strerror}")
                    break
                self._admit(conn, peer)
                with self._connections_lock:
                    if self._connections >= self.max_connections:
                        break  # back to the wait for a free descriptor

    def _wait_for_a_descriptor(self) -> bool:
        """While every budgeted descriptor holds a connection, wait (bounded) for one to end.
        Return False if none ended within PAUSE_AT_DESCRIPTOR_CAP."""
        deadline = time.monotonic() + PAUSE_AT_DESCRIPTOR_CAP
        with self._connection_ended:
            while self._connections >= self.max_connections and not self.cancellation.cancelled:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._connection_ended.wait(min(remaining, 0.1))
        return True

    def _refuse_one(self, reason: str) -> None:
        """Accept one pending connection with the spare descriptor, answer BUSY and close it; if
        even that fails, wait a little (bounded) so that the loop never spins."""
        assert self.listener is not None and self._spare is not None
        self._spare.release()
        try:
            conn, peer = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            self._spare.take()
            return
        except OSError as error:
            self._spare.take()
            self.events.client("client_error", client="?", error=f"{reason}; accept failed: {error.strerror}")
            self.cancellation.wait(0.05)
            return
        self._send_busy(conn, peer, f"server busy: out of file descriptors ({reason})")
        self._spare.take()

    def _send_busy(self, conn: socket.socket, peer: object, message: str) -> None:
        try:
            conn.setblocking(False)
            conn.send(protocol.encode_error(0, ErrorCode.BUSY, message))
            conn.shutdown(socket.SHUT_WR)
            drain_socket(conn, 0)  # what the client sent already: closing with it unread is a reset
        except OSError:
            pass
        conn.close()
        self.events.client("client_error", client=self._peer_name(peer), error=message)

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
            self._send_busy(conn, peer, f"server busy: {self.config.max_clients} clients already")
            return
        if self.config.transport == "tcp":
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self._spawn(self._handle, conn, peer, name="ipclab-conn")
        except RuntimeError:  # cannot start a thread: shed this client, keep the others
            conn.close()
            with self._connections_lock:
                self._connections -= 1
                self._connection_ended.notify()

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
            if channel.error_sent:
                channel.close_gracefully()  # let the ERROR frame arrive (no reset over unread input)
            else:
                channel.close()
            with self._connections_lock:
                self._connections -= 1
                self._connection_ended.notify()
            self.events.client("client_gone", client=name, reason=gone_reason)

    def _send_error(self, channel: Channel, request_id: int, code: int, message: str) -> None:
        try:
            channel.write_all([protocol.encode_error(request_id, code, message)], 1.0)
            if isinstance(channel, SocketChannel):
                channel.error_sent = True
        except TransportError:
            pass

    def _connection_loop(self, channel: SocketChannel, name: str) -> None:
        if self.native is not None:
            return self.native.serve_connection(channel, name)
        frame = bytearray(protocol.REQUEST_SIZE)
        view = memoryview(frame)
        config = self.config
        read_into, decode, serve_one = channel.read_into, protocol.decode_request, self._serve_one
        perf_ns = time.perf_counter_ns
        idle_timeout, max_count, write_timeout = config.idle_timeout, config.max_count, config.write_timeout
        while True:
            got = read_into(view, idle_timeout)
            if got == 0:
                return
            if got < protocol.REQUEST_SIZE:
                deadline = time.monotonic() + config.request_timeout  # from the first byte, not per recv
            prefix_checked = False
            while got < protocol.REQUEST_SIZE:
                if not prefix_checked and got >= protocol.PREFIX.size:
                    # Magic, version, type and length are known after 8 bytes: a wrong one is
                    # answered now, not after the half-sent timeout (a shorter request of
                    # another version would never send 48 bytes).
                    prefix_checked = True
                    error = _prefix_error(view)
                    if error is not None:
                        self._send_error(channel, 0, error.code, error.message)
                        self.events.client("client_error", client=name, error=error.message, code=int(error.code))
                        return
                try:
                    more = channel.read_into(view[got:], max(0.001, deadline - time.monotonic()))
                except TimedOut:
                    self._send_error(channel, 0, ErrorCode.TIMEOUT, f"incomplete request: {got} of 48 bytes")
                    raise TimedOut(f"sent {got} of 48 request bytes then stalled") from None
                if more == 0:
                    raise PeerClosed(f"closed the connection after {got} of 48 request bytes")
                got += more
            received_ns = perf_ns()
            try:
                request = decode(view, max_count)
            except ProtocolError as error:
                if error.code in _VALUE_ERRORS:
                    _, _, request_id = protocol.peek_request_identity(view)
                    self._send_error(channel, request_id, error.code, error.message)
                    channel.error_sent = False  # the connection goes on
                    self.events.client("client_error", client=name, error=error.message, code=int(error.code))
                    continue
                self._send_error(channel, 0, error.code, error.message)
                self.events.client("client_error", client=name, error=error.message, code=int(error.code))
                return  # framing is lost: close the connection
            serve_one(request, channel, name, received_ns, write_timeout)

    def close(self) -> None:
        if self.native is not None:
            self.native.close()
        if self._spare is not None:
            self._spare.close()
            self._spare = None
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


def _prefix_error(prefix: memoryview) -> ProtocolError | None:
    """The framing error in a request's first 8 bytes (magic, version, type, length), if any."""
    try:
        frame_type, length = protocol.check_prefix(prefix)
    except ProtocolError as error:
        return error
    if frame_type != protocol.FrameType.REQUEST:
        return ProtocolError(ErrorCode.BAD_FRAME, f"frame type {frame_type} is not a request")
    if length != protocol.REQUEST_SIZE:
        return ProtocolError(ErrorCode.BAD_FRAME, f"request length field {length}, expected {protocol.REQUEST_SIZE}")
    return None
