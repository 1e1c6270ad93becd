"""`SocketServer`: TCP and Unix-socket servers, one thread per connection, capped at `max_clients`.

A client over the cap gets a BUSY error frame; every wait has a timeout and watches the server's
Cancellation.
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
from backend.transports.sockets import SocketChannel
from backend.transports.tcp import format_tcp_address, listen_tcp, socket_address
from backend.transports.unix import listen_unix


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
        if self.native is not None:
            return self.native.serve_connection(channel.sock.fileno(), name)
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
        if self.native is not None:
            self.native.close()
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
