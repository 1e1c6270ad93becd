"""Garbage, truncated, oversized and wrong-version frames sent to live servers on every transport.

The server answers with an ERROR frame or closes the connection, never crashes, and still serves a
good client afterwards.
"""

from __future__ import annotations

import socket
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.clients.client import make_client
from backend.processes.server_child import ServerProcess
from backend.protocol import frames as protocol
from backend.protocol.frames import ErrorCode, Request
from tests.conftest import SERVER_CASES, start_server_case
from tests.good_client import assert_good_client_served
from tests.wire import (
    error_code_of,
    raw_socket,
    read_until_closed,
    write_to_request_fifo,
)

GOOD = protocol.encode_request(Request(4242, 7, 1, 10))


def _with_crc(body: bytes) -> bytes:
    return body + struct.pack(">I", zlib.crc32(body))


def _wrong_version() -> bytes:
    body = bytearray(GOOD[:44])
    body[4] = 9
    return _with_crc(bytes(body))


HOSTILE_FRAMES = {
    "truncated": GOOD[:30],
    "wrong magic": b"XXXX" + GOOD[4:],
    "wrong version": _wrong_version(),
    "bad checksum": GOOD[:-1] + bytes([GOOD[-1] ^ 1]),
    "oversized length": GOOD[:6] + b"\xff\xff" + GOOD[8:],
    "reply frame sent as request": protocol.encode_end(protocol.EndFrame(1, 1, 1, 1, 1)) + b"\0" * 8,
    "zeros": b"\0" * 48,
    "huge garbage": bytes(range(256)) * 64,
}


@pytest.fixture(scope="module", params=SERVER_CASES)
def server(request, runtime_directory):
    process = start_server_case(request.param, ["--events", "summary", "--request-timeout", "0.5"])
    yield process
    assert process.running(), "the server died"
    assert process.stop() == 0


def _send_hostile(server: ServerProcess, data: bytes) -> bytes | None:
    """Send `data`; for sockets return what the server answered before closing."""
    if server.transport == "fifo":
        for start in range(0, len(data), protocol.PIPE_BUF):
            write_to_request_fifo(server.address, data[start:start + protocol.PIPE_BUF])
        return None
    with raw_socket(server.transport, server.address, timeout=5.0) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # EPIPE, ECONNRESET, ENOTCONN: the server answered and closed already;
            return b""  # what it sent may be lost in the reset
        return read_until_closed(sock)


@pytest.mark.parametrize("name", list(HOSTILE_FRAMES))
def test_hostile_frame(server, name):
    answer = _send_hostile(server, HOSTILE_FRAMES[name])
    if answer is not None and answer:
        # Whatever came back is a well-formed ERROR frame, never values.
        assert error_code_of(answer) in {code.value for code in ErrorCode}
    if name == "wrong version" and answer is not None:
        assert error_code_of(answer) == ErrorCode.UNSUPPORTED_VERSION
    assert_good_client_served(server)


@given(st.binary(min_size=1, max_size=600))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_hypothesis_garbage(server, data):
    answer = _send_hostile(server, data)
    if answer:
        assert error_code_of(answer) is not None
    assert_good_client_served(server)


def test_fifo_half_request_does_not_lose_the_next_one(server):
    """Half a request from one client, then a full one from another: the full one is served."""
    if server.transport != "fifo":
        pytest.skip("FIFO stream resynchronisation")
    write_to_request_fifo(server.address, GOOD[:20])
    assert_good_client_served(server)


def test_wrong_version_on_fifo_gets_an_error_frame(server):
    """The first 20 bytes are stable across versions, so the FIFO server can still answer."""
    if server.transport != "fifo":
        pytest.skip("FIFO reply to a frame of another version")
    with make_client("fifo", server.address) as client:
        client.connect()
        body = bytearray(protocol.encode_request(Request(client.pid, client.channel_number, 5, 3))[:44])
        body[4] = 2
        write_to_request_fifo(server.address, _with_crc(bytes(body)))
        reader = client._reader
        frame_type, request_id, length = protocol.decode_reply_header(reader.read_exact(16, 5.0))
        assert (frame_type, request_id) == (protocol.FrameType.ERROR, 5)
        header = bytes(reader._view[reader._start - 16:reader._start])
        error = protocol.decode_error(header + bytes(reader.read_exact(length, 5.0)))
        assert error.code == ErrorCode.UNSUPPORTED_VERSION


def test_fifo_fragment_claiming_a_long_frame_does_not_swallow_the_next_request(server):
    """A stray 16-byte fragment whose length field claims 200 bytes sits ahead of a genuine
    request: after the request timeout the server drops the fragment, not the request."""
    if server.transport != "fifo":
        pytest.skip("FIFO stream resynchronisation")
    fragment = protocol.MAGIC + bytes([1, 1]) + (200).to_bytes(2, "big") + b"\0" * 8
    with make_client("fifo", server.address, timeout=10.0) as client:
        client.connect()
        write_to_request_fifo(server.address, fragment)
        result = client.request(10)  # answered once the 0.5 s request timeout drops the fragment
    assert result.count == 10
