"""The IPC Lab wire protocol, version 1: frame layouts, limits, error codes.

Every transport (FIFO, TCP, Unix socket) carries the same frames; `docs/PROTOCOL.md` is the
human-readable specification of what this module implements. All integers are in network byte
order (big-endian). This module never allocates from a length it has not checked.

A request is one fixed-size frame (48 bytes, well under PIPE_BUF so that concurrent writers on one
FIFO never interleave) ending in a CRC-32 so that a reader of a shared FIFO can resynchronise after
garbage. A reply is zero or more CHUNK frames carrying the values, then one END frame, or a single
ERROR frame instead.
"""

from __future__ import annotations

import enum
import struct
import zlib
from typing import NamedTuple

MAGIC = b"IPCL"
VERSION = 1

# Limits, all checked before anything is allocated.
MAX_COUNT = 100_000_000  # values in one reply (400 MB): the protocol's hard ceiling
DEFAULT_MAX_COUNT = 100_000_000  # a server's default cap, lowerable with --max-count
MAX_CHUNK_VALUES = 262_144  # values in one CHUNK frame (1 MiB of payload)
MAX_ERROR_MESSAGE = 1024  # bytes of UTF-8 in an ERROR frame
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
UINT32_MAX = 2**32 - 1
UINT64_MAX = 2**64 - 1

DEFAULT_LO = 1
DEFAULT_HI = 10


class FrameType(enum.IntEnum):
    """The type byte at offset 5 of every frame."""

    REQUEST = 1
    CHUNK = 2
    END = 3
    ERROR = 4


class ErrorCode(enum.IntEnum):
    """Numeric codes carried by ERROR frames (see docs/PROTOCOL.md)."""

    BAD_MAGIC = 1
    UNSUPPORTED_VERSION = 2
    BAD_FRAME = 3  # wrong type, length, flags or checksum
    COUNT_TOO_LARGE = 4
    BAD_RANGE = 5
    BUSY = 6
    TIMEOUT = 7
    INTERNAL = 8
    SHUTTING_DOWN = 9


REQUEST_FLAG_SEED = 0x1
KNOWN_REQUEST_FLAGS = REQUEST_FLAG_SEED

# Common 8-byte prefix: magic, version, type, length (request) or reserved (reply frames).
PREFIX = struct.Struct(">4sBBH")
# REQUEST: prefix, pid, channel, request_id, flags, count, lo, hi, seed, crc32.
REQUEST = struct.Struct(">4sBBHIIIIIiiQI")
REQUEST_SIZE = REQUEST.size  # 48
REQUEST_CRC_OFFSET = REQUEST_SIZE - 4
# CHUNK: prefix, request_id, value_count; followed by value_count big-endian int32.
CHUNK_HEADER = struct.Struct(">4sBBHII")
CHUNK_HEADER_SIZE = CHUNK_HEADER.size  # 16
# END: prefix, request_id, total_count, server_pid, reserved, generation_ns, service_ns.
END = struct.Struct(">4sBBHIIIIQQ")
END_SIZE = END.size  # 40
# ERROR: prefix, request_id, code, message_length; followed by message_length bytes of UTF-8.
ERROR_HEADER = struct.Struct(">4sBBHIHH")
ERROR_HEADER_SIZE = ERROR_HEADER.size  # 16
REPLY_HEADER_SIZE = 16  # bytes a reader needs to learn a reply frame's type and body length
PIPE_BUF = 4096

assert REQUEST_SIZE == 48 and CHUNK_HEADER_SIZE == 16 and END_SIZE == 40
assert ERROR_HEADER_SIZE == REPLY_HEADER_SIZE and REQUEST_SIZE <= PIPE_BUF


class ProtocolError(Exception):
    """A frame broke the protocol; `code` says how, as it would travel in an ERROR frame."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Request(NamedTuple):
    """One request: `count` random integers in [lo, hi] for client `pid`/`channel`.

    (A NamedTuple rather than a dataclass: it is built for every exchange on the hot path.)
    """

    pid: int
    channel: int
    request_id: int
    count: int
    lo: int = DEFAULT_LO
    hi: int = DEFAULT_HI
    seed: int | None = None


class EndFrame(NamedTuple):
    """The END frame closing a successful reply."""

    request_id: int
    total_count: int
    server_pid: int
    generation_ns: int
    service_ns: int


class ErrorFrame(NamedTuple):
    """An ERROR frame: the request failed, with a numeric code and a message."""

    request_id: int
    code: int
    message: str


def _check_uint(name: str, value: int, maximum: int) -> None:
    if not 0 <= value <= maximum:
        raise ValueError(f"{name} must be in 0..{maximum}, got {value}")


def validate_request_fields(count: int, lo: int, hi: int, max_count: int = MAX_COUNT) -> None:
    """Raise ProtocolError if count or range is outside the protocol's (or a server's) limits."""
    if not 0 <= count <= min(max_count, MAX_COUNT):
        raise ProtocolError(
            ErrorCode.COUNT_TOO_LARGE, f"count {count} exceeds the limit of {min(max_count, MAX_COUNT)}"
        )
    if not (INT32_MIN <= lo <= INT32_MAX and INT32_MIN <= hi <= INT32_MAX):
        raise ProtocolError(ErrorCode.BAD_RANGE, f"range {lo}..{hi} is outside int32")
    if lo > hi:
        raise ProtocolError(ErrorCode.BAD_RANGE, f"range {lo}..{hi} is empty (lo > hi)")


REQUEST_BODY = struct.Struct(">4sBBHIIIIIiiQ")  # the 44 bytes the CRC-32 covers
CRC = struct.Struct(">I")
_IDENTITY = struct.Struct(">4sBBHIII")  # the first 20 bytes of a request, in every version
_REQUEST_TYPE = int(FrameType.REQUEST)
_CHUNK, _END, _ERROR = FrameType.CHUNK, FrameType.END, FrameType.ERROR  # no enum lookup per frame
_REPLY_WORDS = struct.Struct(">II")  # a reply header's offsets 8..15: request id, count or code+length
_crc32 = zlib.crc32
_new_tuple = tuple.__new__  # builds a NamedTuple from its fields without its Python-level __new__


def encode_request(request: Request) -> bytes:
    """Encode a request frame (48 bytes), CRC-32 included."""
    pid, channel, request_id, count, lo, hi, seed = request
    if not (0 <= pid <= UINT32_MAX and 0 <= channel <= UINT32_MAX and 0 <= request_id <= UINT32_MAX
            and 0 <= count <= UINT32_MAX and INT32_MIN <= lo <= INT32_MAX and INT32_MIN <= hi <= INT32_MAX
            and (seed is None or 0 <= seed <= UINT64_MAX)):
        for name, value in (("pid", pid), ("channel", channel), ("request_id", request_id), ("count", count)):
            _check_uint(name, value, UINT32_MAX)
        if seed is not None:
            _check_uint("seed", seed, UINT64_MAX)
        raise ValueError(f"range {lo}..{hi} is outside int32")
    body = REQUEST_BODY.pack(
        MAGIC, VERSION, _REQUEST_TYPE, REQUEST_SIZE, pid, channel, request_id,
        0 if seed is None else REQUEST_FLAG_SEED, count, lo, hi, seed or 0,
    )
    return body + CRC.pack(zlib.crc32(body))


def check_prefix(prefix: bytes | memoryview) -> tuple[int, int]:
    """Check a frame's 8-byte prefix; return (type, length-or-reserved field).

    Raises ProtocolError for a wrong magic or an unsupported version.
    """
    magic, version, frame_type, length = PREFIX.unpack_from(prefix)
    if magic != MAGIC:
        raise ProtocolError(ErrorCode.BAD_MAGIC, f"bad magic {bytes(magic)!r}, expected {MAGIC!r}")
    if version != VERSION:
        raise ProtocolError(
            ErrorCode.UNSUPPORTED_VERSION, f"protocol version {version} is not supported (this is {VERSION})"
        )
    return frame_type, length


def decode_request(frame: bytes | memoryview, max_count: int = MAX_COUNT, crc_checked: bool = False) -> Request:
    """Decode and check a 48-byte request frame; raise ProtocolError if anything is wrong.

    `crc_checked`: the caller has already verified the CRC (the FIFO server does, to resync).
    A valid request is accepted by one combined test (the hot path); anything else goes through
    the checks one by one, which raise the precise error.
    """
    if len(frame) == REQUEST_SIZE:
        (magic, version, frame_type, length, pid, channel, request_id, flags, count, lo, hi, seed,
         crc) = REQUEST.unpack_from(frame)
        if (magic == MAGIC and version == VERSION and frame_type == _REQUEST_TYPE and length == REQUEST_SIZE
                and not flags & ~KNOWN_REQUEST_FLAGS and count <= max_count and count <= MAX_COUNT and lo <= hi
                and (crc_checked or _crc32(frame[:REQUEST_CRC_OFFSET]) == crc)):
            return _new_tuple(Request, (pid, channel, request_id, count, lo, hi,  # Request(...), one call less
                                        seed if flags & REQUEST_FLAG_SEED else None))
    if len(frame) < PREFIX.size:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"request frame is {len(frame)} bytes, expected {REQUEST_SIZE}")
    frame_type, length = check_prefix(frame)  # first: another version's request may have another size
    if len(frame) != REQUEST_SIZE:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"request frame is {len(frame)} bytes, expected {REQUEST_SIZE}")
    if frame_type != FrameType.REQUEST:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"frame type {frame_type} is not a request")
    if length != REQUEST_SIZE:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"request length field {length}, expected {REQUEST_SIZE}")
    (_, _, _, _, pid, channel, request_id, flags, count, lo, hi, seed, crc) = REQUEST.unpack_from(frame)
    if not crc_checked and zlib.crc32(frame[:REQUEST_CRC_OFFSET]) != crc:
        raise ProtocolError(ErrorCode.BAD_FRAME, "request checksum does not match")
    if flags & ~KNOWN_REQUEST_FLAGS:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"unknown request flags 0x{flags:08x}")
    validate_request_fields(count, lo, hi, max_count)
    return Request(pid, channel, request_id, count, lo, hi, seed if flags & REQUEST_FLAG_SEED else None)


def peek_request_identity(frame: bytes | memoryview) -> tuple[int, int, int]:
    """Return (pid, channel, request_id) of a frame whose CRC is valid, whatever its version.

    The first 20 bytes of a request have the same layout in every protocol version, so a server
    can answer a request of a version it does not speak with an ERROR frame.
    """
    _, _, _, _, pid, channel, request_id = _IDENTITY.unpack_from(frame)
    return pid, channel, request_id


def encode_chunk_header(request_id: int, value_count: int) -> bytes:
    """The 16-byte header of a CHUNK frame carrying `value_count` int32 values."""
    return CHUNK_HEADER.pack(MAGIC, VERSION, FrameType.CHUNK, 0, request_id, value_count)


def encode_end(end: EndFrame) -> bytes:
    """Encode an END frame (40 bytes)."""
    return END.pack(
        MAGIC, VERSION, FrameType.END, 0, end.request_id, end.total_count, end.server_pid, 0,
        end.generation_ns, end.service_ns,
    )


def pack_end(request_id: int, total: int, server_pid: int, generation_ns: int, service_ns: int) -> bytes:
    """encode_end without building an EndFrame first (the server's hot path)."""
    return END.pack(MAGIC, VERSION, FrameType.END, 0, request_id, total, server_pid, 0, generation_ns, service_ns)


def encode_error(request_id: int, code: int, message: str) -> bytes:
    """Encode an ERROR frame; the message is truncated to MAX_ERROR_MESSAGE bytes of UTF-8."""
    data = message.encode("utf-8")[:MAX_ERROR_MESSAGE]
    data = data.decode("utf-8", "ignore").encode("utf-8")  # never cut a character in half
    return ERROR_HEADER.pack(MAGIC, VERSION, FrameType.ERROR, 0, request_id, int(code), len(data)) + data


def decode_reply_header(header: bytes | memoryview) -> tuple[FrameType, int, int]:
    """Decode the first 16 bytes of a reply frame.

    Returns (type, request_id, n) where n is the value count of a CHUNK, or the number of bytes
    still to read for END (24) and ERROR (message length). Every n is checked against its limit.
    """
    try:
        magic, version, frame_type, _, request_id, word = CHUNK_HEADER.unpack_from(header)
    except struct.error:  # shorter than 16 bytes: the checks below say what is wrong
        magic = version = None
    if magic != MAGIC or version != VERSION:
        frame_type, _ = check_prefix(header)
        request_id, word = _REPLY_WORDS.unpack_from(header, 8)
    if frame_type == _CHUNK:
        if not 1 <= word <= MAX_CHUNK_VALUES:
            raise ProtocolError(ErrorCode.BAD_FRAME, f"chunk of {word} values (limit {MAX_CHUNK_VALUES})")
        return _CHUNK, request_id, word
    if frame_type == _END:
        return _END, request_id, END_SIZE - REPLY_HEADER_SIZE
    if frame_type == _ERROR:
        message_length = word & 0xFFFF
        if message_length > MAX_ERROR_MESSAGE:
            raise ProtocolError(ErrorCode.BAD_FRAME, f"error message of {message_length} bytes")
        return _ERROR, request_id, message_length
    raise ProtocolError(ErrorCode.BAD_FRAME, f"unexpected reply frame type {frame_type}")




def decode_end(frame: bytes | memoryview) -> EndFrame:
    """Decode a whole 40-byte END frame."""
    _, _, _, _, request_id, total, server_pid, _, generation_ns, service_ns = END.unpack_from(frame)
    return EndFrame(request_id, total, server_pid, generation_ns, service_ns)


def decode_error(frame: bytes | memoryview) -> ErrorFrame:
    """Decode a whole ERROR frame (header and message)."""
    _, _, _, _, request_id, code, length = ERROR_HEADER.unpack_from(frame)
    if length > MAX_ERROR_MESSAGE or len(frame) < ERROR_HEADER_SIZE + length:
        raise ProtocolError(ErrorCode.BAD_FRAME, "truncated error frame")
    message = bytes(frame[ERROR_HEADER_SIZE:ERROR_HEADER_SIZE + length]).decode("utf-8", "replace")
    return ErrorFrame(request_id, code, message)


def error_name(code: int) -> str:
    """A readable name for an error code, known or not."""
    try:
        return ErrorCode(code).name
    except ValueError:
        return f"ERROR_{code}"
