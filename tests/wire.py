"""Raw-wire helpers for tests that play a misbehaving client (no protocol checks on our side)."""

from __future__ import annotations

import os
import socket
import time

import numpy as np

from backend.protocol import frames as protocol
from backend.transports.tcp import parse_tcp_address


def raw_socket(transport: str, address: str, timeout: float = 10.0) -> socket.socket:
    """A plain connected socket to a TCP or Unix server."""
    if transport == "tcp":
        sock = socket.create_connection(parse_tcp_address(address), timeout=timeout)
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
    return sock


def read_until_closed(sock: socket.socket, limit: int = 1 << 20) -> bytes:
    """Everything the server sends until it closes the connection (or `limit` bytes)."""
    data = b""
    while len(data) < limit:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def error_code_of(data: bytes) -> int | None:
    """The code of the ERROR frame at the start of `data`, if there is one."""
    if len(data) < protocol.ERROR_HEADER_SIZE:
        return None
    frame_type, _, _ = protocol.decode_reply_header(data[:16])
    if frame_type != protocol.FrameType.ERROR:
        return None
    return protocol.decode_error(data).code


def write_to_request_fifo(directory: str, data: bytes) -> None:
    """Write raw bytes to a FIFO server's well-known request FIFO, in one write."""
    fd = os.open(os.path.join(directory, "request.fifo"), os.O_WRONLY | os.O_NONBLOCK)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.01) -> bool:
    """Poll a condition on state another process changes (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def reference_values(seed: int, count: int, lo: int, hi: int) -> np.ndarray:
    """Independent of the server: the documented numpy recipe."""
    generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    parts, remaining = [], count
    while remaining:
        size = min(remaining, protocol.MAX_CHUNK_VALUES)
        span = hi - lo
        if span < 256:
            parts.append(generator.integers(0, span, size=size, dtype=np.uint8, endpoint=True).astype(np.int32) + lo)
        elif span < 65536:
            parts.append(generator.integers(0, span, size=size, dtype=np.uint16, endpoint=True).astype(np.int32) + lo)
        else:
            parts.append(generator.integers(lo, hi, size=size, dtype=np.int32, endpoint=True))
        remaining -= size
    return np.concatenate(parts) if parts else np.empty(0, np.int32)
