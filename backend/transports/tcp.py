"""TCP transport: address parsing, connecting and listening (loopback unless asked otherwise)."""

from __future__ import annotations

import errno
import socket

from backend.transports.base import ConnectionRefused, TimedOut, TransportError
from backend.transports.cancel import Cancellation
from backend.transports.sockets import SocketChannel

DEFAULT_HOST = "127.0.0.1"


def parse_tcp_address(text: str, allow_port_zero: bool = False) -> tuple[str, int]:
    """Parse "host:port" or "[v6-host]:port" into (host, port); raise ValueError if malformed.

    Port 0 (let the system pick) is only meaningful to a server: `allow_port_zero`.
    """
    text = text.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or not rest.startswith(":"):
            raise ValueError(f"bad TCP address {text!r}: expected [HOST]:PORT")
        port_text = rest[1:]
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep or not host:
            raise ValueError(f"bad TCP address {text!r}: expected HOST:PORT")
        if ":" in host:
            raise ValueError(f"bad TCP address {text!r}: write IPv6 hosts as [HOST]:PORT")
    lowest = 0 if allow_port_zero else 1
    if not port_text.isdigit() or not lowest <= int(port_text) < 65536:
        raise ValueError(f"bad TCP port {port_text!r} in {text!r}: expected {lowest}..65535")
    return host, int(port_text)


def format_tcp_address(host: str, port: int) -> str:
    """The inverse of parse_tcp_address."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def connect_tcp(address: str, timeout: float, cancellation: Cancellation | None = None) -> SocketChannel:
    """Connect to a TCP server; raise ConnectionRefused or TimedOut with the address in the message."""
    host, port = parse_tcp_address(address)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError:
        raise ConnectionRefused(f"no server is listening at tcp {address}") from None
    except socket.timeout:
        raise TimedOut(f"connecting to tcp {address} timed out after {timeout:g} s") from None
    except OSError as error:
        raise TransportError(f"cannot connect to tcp {address}: {error.strerror or error}") from None
    if sock.getsockname() == sock.getpeername():
        # TCP "simultaneous open": with no server on a local ephemeral port, the kernel can
        # connect a socket to itself (the classic exercise's client then read its own request).
        sock.close()
        raise ConnectionRefused(f"no server is listening at tcp {address}")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return SocketChannel(sock, cancellation)


def listen_tcp(host: str, port: int, backlog: int = 512) -> socket.socket:
    """Bind and listen; port 0 picks a free port. Raise TransportError with a clear message."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise TransportError(f"cannot resolve host {host!r}: {error}") from None
    family, _, _, _, sockaddr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(sockaddr)
        sock.listen(backlog)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise TransportError(f"address {format_tcp_address(host, port)} is already in use") from None
        raise TransportError(f"cannot listen on {format_tcp_address(host, port)}: {error.strerror}") from None
    return sock


def socket_address(sock: socket.socket) -> str:
    """The "host:port" a listening or connected TCP socket is bound to."""
    host, port = sock.getsockname()[:2]
    return format_tcp_address(host, port)
