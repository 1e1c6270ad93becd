"""Protocol frames: hypothesis round trips of every frame type, and rejection of bad frames."""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.protocol import frames as protocol
from backend.protocol.frames import ErrorCode, FrameType, ProtocolError, Request

uint32 = st.integers(0, protocol.UINT32_MAX)
int32 = st.integers(protocol.INT32_MIN, protocol.INT32_MAX)


@st.composite
def requests(draw) -> Request:
    lo = draw(int32)
    hi = draw(st.integers(lo, protocol.INT32_MAX))
    seed = draw(st.none() | st.integers(0, protocol.UINT64_MAX))
    return Request(draw(uint32), draw(uint32), draw(uint32), draw(st.integers(0, protocol.MAX_COUNT)), lo, hi, seed)


@given(requests())
def test_request_round_trip(request: Request) -> None:
    frame = protocol.encode_request(request)
    assert len(frame) == protocol.REQUEST_SIZE <= protocol.PIPE_BUF
    assert protocol.decode_request(frame) == request
    assert protocol.peek_request_identity(frame) == (request.pid, request.channel, request.request_id)


@given(uint32, st.integers(1, protocol.MAX_CHUNK_VALUES))
def test_chunk_header_round_trip(request_id: int, count: int) -> None:
    header = protocol.encode_chunk_header(request_id, count)
    assert protocol.decode_reply_header(header) == (FrameType.CHUNK, request_id, count)


@given(uint32, uint32, uint32, st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_end_round_trip(request_id: int, total: int, pid: int, generation: int, service: int) -> None:
    end = protocol.EndFrame(request_id, total, pid, generation, service)
    frame = protocol.encode_end(end)
    assert len(frame) == protocol.END_SIZE
    frame_type, decoded_id, rest = protocol.decode_reply_header(frame[:16])
    assert (frame_type, decoded_id, rest) == (FrameType.END, request_id, protocol.END_SIZE - 16)
    assert protocol.decode_end(frame) == end


@given(uint32, st.sampled_from(list(ErrorCode)), st.text(max_size=2000))
def test_error_round_trip(request_id: int, code: ErrorCode, message: str) -> None:
    frame = protocol.encode_error(request_id, code, message)
    frame_type, decoded_id, length = protocol.decode_reply_header(frame[:16])
    assert frame_type == FrameType.ERROR and decoded_id == request_id
    assert length <= protocol.MAX_ERROR_MESSAGE and len(frame) == 16 + length
    decoded = protocol.decode_error(frame)
    assert decoded.code == code
    assert message.startswith(decoded.message)


@given(requests(), st.integers(0, protocol.REQUEST_SIZE - 1), st.integers(0, 255))
def test_any_corrupted_byte_is_rejected(request: Request, position: int, value: int) -> None:
    frame = bytearray(protocol.encode_request(request))
    if frame[position] == value:
        return
    frame[position] = value
    with pytest.raises(ProtocolError):
        protocol.decode_request(bytes(frame))


@given(st.binary(max_size=200))
@settings(max_examples=300)
def test_garbage_never_decodes_and_never_crashes(data: bytes) -> None:
    try:
        protocol.decode_request(data)
    except ProtocolError as error:
        assert error.code in (ErrorCode.BAD_MAGIC, ErrorCode.UNSUPPORTED_VERSION, ErrorCode.BAD_FRAME,
                              ErrorCode.COUNT_TOO_LARGE, ErrorCode.BAD_RANGE)
    if len(data) >= 16:
        try:
            protocol.decode_reply_header(data[:16])
        except ProtocolError:
            pass


def _with_crc(body: bytes) -> bytes:
    return body + struct.pack(">I", zlib.crc32(body))


def test_specific_rejections() -> None:
    good = protocol.encode_request(Request(1, 2, 3, 10))
    with pytest.raises(ProtocolError) as error:
        protocol.decode_request(good[:-1])
    assert error.value.code == ErrorCode.BAD_FRAME
    wrong_version = bytearray(good[:44])
    wrong_version[4] = 2
    with pytest.raises(ProtocolError) as error:
        protocol.decode_request(_with_crc(bytes(wrong_version)))
    assert error.value.code == ErrorCode.UNSUPPORTED_VERSION
    too_many = protocol.encode_request(Request(1, 2, 3, protocol.MAX_COUNT + 1))
    with pytest.raises(ProtocolError) as error:
        protocol.decode_request(too_many)
    assert error.value.code == ErrorCode.COUNT_TOO_LARGE
    with pytest.raises(ProtocolError) as error:
        protocol.decode_request(protocol.encode_request(Request(1, 2, 3, 10, 5, 4)))
    assert error.value.code == ErrorCode.BAD_RANGE
    unknown_flags = bytearray(good[:44])
    unknown_flags[23] |= 0x80
    with pytest.raises(ProtocolError) as error:
        protocol.decode_request(_with_crc(bytes(unknown_flags)))
    assert error.value.code == ErrorCode.BAD_FRAME
    # A server's own lower cap is honoured.
    with pytest.raises(ProtocolError):
        protocol.decode_request(protocol.encode_request(Request(1, 2, 3, 101)), max_count=100)


def test_oversized_lengths_are_refused_before_allocation() -> None:
    huge_chunk = struct.pack(">4sBBHII", protocol.MAGIC, 1, FrameType.CHUNK, 0, 1, protocol.MAX_CHUNK_VALUES + 1)
    with pytest.raises(ProtocolError):
        protocol.decode_reply_header(huge_chunk)
    zero_chunk = struct.pack(">4sBBHII", protocol.MAGIC, 1, FrameType.CHUNK, 0, 1, 0)
    with pytest.raises(ProtocolError):
        protocol.decode_reply_header(zero_chunk)
    huge_error = struct.pack(">4sBBHIHH", protocol.MAGIC, 1, FrameType.ERROR, 0, 1, 1, protocol.MAX_ERROR_MESSAGE + 1)
    with pytest.raises(ProtocolError):
        protocol.decode_reply_header(huge_error)


def test_a_longer_request_of_another_version_is_reported_as_unsupported() -> None:
    """A future version may have a longer request: the version is checked before the size."""
    body = bytearray(struct.pack(">4sBBH", protocol.MAGIC, 2, FrameType.REQUEST, 64)) + bytes(52)
    with pytest.raises(ProtocolError) as error:
        protocol.decode_request(_with_crc(bytes(body)), crc_checked=True)
    assert error.value.code == ErrorCode.UNSUPPORTED_VERSION
