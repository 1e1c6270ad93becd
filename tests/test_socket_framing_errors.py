"""Framing errors on TCP and Unix sockets: answered as soon as 8 bytes are in, and the ERROR frame
survives the close (the server shuts down its side and drains, so the peer sees end-of-file after
the frame, not a reset that may destroy it). Every test runs against both server engines."""

from __future__ import annotations

import socket

import pytest

from backend.clients.client import make_client
from backend.protocol import frames as protocol
from backend.protocol.frames import ErrorCode, Request
from tests.wire import raw_socket

TRANSPORTS = ["tcp", "unix"]


def _read_frame_then_ending(sock: socket.socket) -> tuple[bytes, str]:
    """The ERROR frame the server sent, and how the connection ended: "eof" or "reset"."""
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data, "reset"
        if not chunk:
            return data, "eof"
        data += chunk


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("prefix, code", [
    (b"XXXXXXXX", ErrorCode.BAD_MAGIC),
    (protocol.MAGIC + bytes([2, 1, 0, 32]), ErrorCode.UNSUPPORTED_VERSION),  # a shorter future request
    (protocol.MAGIC + bytes([1, 3, 0, 48]), ErrorCode.BAD_FRAME),
], ids=["garbage", "other version", "wrong type"])
def test_eight_bad_bytes_are_answered_at_once(start_server, server_engine, transport, prefix, code):
    """With a 30 s half-sent timeout, 8 bad bytes get their ERROR within the 10 s socket timeout
    (before, the server waited for 48 bytes and answered TIMEOUT after the half-sent timeout)."""
    server = start_server(transport, "--events", "none", "--request-timeout", "30", "--engine", server_engine)
    with raw_socket(transport, server.address, timeout=10.0) as sock:
        sock.sendall(prefix)
        frame, _ = _read_frame_then_ending(sock)
    assert protocol.decode_error(frame).code == code
    with make_client(transport, server.address, timeout=5.0) as client:
        assert client.request(3).count == 3


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_error_frame_is_followed_by_end_of_file_not_a_reset(start_server, server_engine, transport):
    """4,096 bytes of garbage: the server answers BAD_MAGIC with most of them unread. Closing then
    would send a reset; the server shuts down its side and drains instead."""
    server = start_server(transport, "--events", "none", "--engine", server_engine)
    with raw_socket(transport, server.address, timeout=10.0) as sock:
        sock.sendall(bytes(range(256)) * 16)
        frame, ending = _read_frame_then_ending(sock)
    assert protocol.decode_error(frame).code == ErrorCode.BAD_MAGIC
    assert ending == "eof"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_value_errors_keep_the_connection_and_a_good_request_follows(start_server, server_engine, transport):
    server = start_server(transport, "--events", "none", "--engine", server_engine)
    with raw_socket(transport, server.address, timeout=10.0) as sock:
        sock.sendall(protocol.encode_request(Request(1, 0, 2, 3, 10, 1)))
        header = sock.recv(16, socket.MSG_WAITALL)
        _, request_id, length = protocol.decode_reply_header(header)
        error = protocol.decode_error(header + sock.recv(length, socket.MSG_WAITALL))
        assert (request_id, error.code) == (2, ErrorCode.BAD_RANGE)
        sock.sendall(protocol.encode_request(Request(1, 0, 3, 0)))
        end = sock.recv(protocol.END_SIZE, socket.MSG_WAITALL)
        assert protocol.decode_end(end).request_id == 3
