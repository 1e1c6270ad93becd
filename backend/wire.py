"""Wire capture and byte-level descriptions of frames, to show a class the bytes that travel.

`make_client(..., capture_wire=True)` records the exact bytes of each exchange (`client.last_wire`,
a `WireCapture`); `describe_request` and `describe_reply` name every field of those bytes (offset,
length, decoded value, a colour group) and `hex_dump_lines` prints them like `hexdump -C`.
Capture is off by default and then costs nothing: the client only wraps its channel when asked.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Sequence

from backend import protocol
from backend.protocol import FrameType

HEAD_LIMIT = 4096  # bytes of the reply's beginning kept by a capture
_TAIL_LIMIT = protocol.ERROR_HEADER_SIZE + protocol.MAX_ERROR_MESSAGE  # the largest closing frame
_END_PREFIX = protocol.MAGIC + bytes([protocol.VERSION, FrameType.END])
_ERROR_PREFIX = protocol.MAGIC + bytes([protocol.VERSION, FrameType.ERROR])

GROUPS = ("header", "identity", "workload", "values", "checksum", "timing", "error")


@dataclass(frozen=True)
class WireField:
    """One field of captured bytes: where it is, what it is called, what it says."""

    offset: int  # byte offset in the bytes that were described
    length: int
    name: str
    value: int | str
    group: str  # one of GROUPS
    frame: int  # index of the frame this field belongs to (0 = first frame)


@dataclass(frozen=True)
class WireCapture:
    """The exact bytes of one exchange as the client wrote and read them."""

    request: bytes  # the 48 bytes the client wrote
    reply_head: bytes  # the first up to 4096 bytes the client read of the reply
    reply_end: bytes  # the END (40 bytes) or ERROR frame that closed the reply; b"" if none
    reply_total_bytes: int


class WireRecorder:
    """Accumulates the bytes of one exchange; `begin()` before it, `capture()` after it."""

    def __init__(self) -> None:
        self.begin()

    def begin(self) -> None:
        self._request = bytearray()
        self._head = bytearray()
        self._tail = bytearray()
        self._total = 0

    def wrote(self, buffers: Sequence[bytes | bytearray | memoryview]) -> None:
        for buffer in buffers:
            self._request += buffer

    def read(self, data: memoryview) -> None:
        size = len(data)
        self._total += size
        if len(self._head) < HEAD_LIMIT:
            self._head += data[:HEAD_LIMIT - len(self._head)]
        if size >= _TAIL_LIMIT:
            self._tail[:] = data[size - _TAIL_LIMIT:]
        else:
            self._tail += data
            if len(self._tail) > _TAIL_LIMIT:
                del self._tail[:len(self._tail) - _TAIL_LIMIT]

    def capture(self) -> WireCapture:
        return WireCapture(bytes(self._request), bytes(self._head), self._closing_frame(), self._total)

    def _closing_frame(self) -> bytes:
        """The END or ERROR frame the reply ended with (both are at the very end of what was read)."""
        tail = bytes(self._tail)
        if len(tail) >= protocol.END_SIZE and tail[-protocol.END_SIZE:].startswith(_END_PREFIX):
            return tail[-protocol.END_SIZE:]
        position = tail.rfind(_ERROR_PREFIX)
        while position >= 0:
            if len(tail) - position >= protocol.ERROR_HEADER_SIZE:
                length = int.from_bytes(tail[position + 14:position + 16], "big")
                if position + protocol.ERROR_HEADER_SIZE + length == len(tail):
                    return tail[position:]
            position = tail.rfind(_ERROR_PREFIX, 0, position)
        return b""


class CapturingChannel:
    """Wraps a client's channel and tells a WireRecorder every byte written and read."""

    def __init__(self, inner, recorder: WireRecorder) -> None:
        self.inner = inner
        self.recorder = recorder

    def read_into(self, view: memoryview, timeout: float | None) -> int:
        count = self.inner.read_into(view, timeout)
        if count:
            self.recorder.read(view[:count])
        return count

    def write_all(self, buffers, timeout: float | None) -> int:
        self.recorder.wrote(buffers)
        return self.inner.write_all(buffers, timeout)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


# -- descriptions ---------------------------------------------------------------------------

def _u(data: bytes, offset: int, length: int) -> int:
    return int.from_bytes(data[offset:offset + length], "big")


def _field(out: list[WireField], data: bytes, base: int, offset: int, length: int, name: str, group: str,
           frame: int, value: int | str | None = None, signed: bool = False) -> bool:
    """Append a field if its bytes are all present; return whether they were."""
    if base + offset + length > len(data):
        return False
    if value is None:
        value = int.from_bytes(data[base + offset:base + offset + length], "big", signed=signed)
    out.append(WireField(base + offset, length, name, value, group, frame))
    return True


def _prefix_fields(out: list[WireField], data: bytes, base: int, frame: int, last_name: str) -> None:
    magic = data[base:base + 4].decode("latin-1")
    _field(out, data, base, 0, 4, "magic", "header", frame, value=magic)
    _field(out, data, base, 4, 1, "version", "header", frame)
    _field(out, data, base, 5, 1, "type", "header", frame)
    _field(out, data, base, 6, 2, last_name, "header", frame)


def describe_request(frame: bytes) -> list[WireField]:
    """Name every field of a REQUEST frame (fields cut short by the end of `frame` are left out)."""
    data = bytes(frame)
    out: list[WireField] = []
    _prefix_fields(out, data, 0, 0, "length")
    layout = [
        (8, 4, "pid", "identity", False), (12, 4, "channel", "identity", False),
        (16, 4, "request id", "identity", False), (20, 4, "flags", "workload", False),
        (24, 4, "count", "workload", False), (28, 4, "lo", "workload", True), (32, 4, "hi", "workload", True),
        (36, 8, "seed", "workload", False), (44, 4, "crc32", "checksum", False),
    ]
    for offset, length, name, group, signed in layout:
        _field(out, data, 0, offset, length, name, group, 0, signed=signed)
    return out


def _describe_end(out: list[WireField], data: bytes, base: int, frame: int) -> None:
    _prefix_fields(out, data, base, frame, "reserved")
    layout = [
        (8, 4, "request id", "identity"), (12, 4, "end: total count", "workload"),
        (16, 4, "server pid", "identity"), (20, 4, "reserved", "header"),
        (24, 8, "generation ns", "timing"), (32, 8, "service ns", "timing"),
    ]
    for offset, length, name, group in layout:
        _field(out, data, base, offset, length, name, group, frame)


def _describe_error(out: list[WireField], data: bytes, base: int, frame: int) -> None:
    _prefix_fields(out, data, base, frame, "reserved")
    _field(out, data, base, 8, 4, "request id", "identity", frame)
    _field(out, data, base, 12, 2, "error code", "error", frame)
    if _field(out, data, base, 14, 2, "message length", "error", frame):
        length = min(_u(data, base + 14, 2), len(data) - base - 16)
        if length > 0:
            text = data[base + 16:base + 16 + length].decode("utf-8", "replace")
            out.append(WireField(base + 16, length, "message", text, "error", frame))


def _describe_closing(out: list[WireField], data: bytes, base: int, frame: int) -> None:
    if data[base + 5:base + 6] == bytes([FrameType.ERROR]):
        _describe_error(out, data, base, frame)
    else:
        _describe_end(out, data, base, frame)


def describe_reply(head: bytes, end: bytes = b"", max_values: int = 32) -> list[WireField]:
    """Name the fields of a reply: CHUNK headers and values found in `head`, then the END/ERROR.

    Each CHUNK in `head` gives its header fields, one "value" field per value (at most
    `max_values` in all), then one "more values" field covering the rest of that chunk's bytes in
    `head` (its value: how many values of the chunk were not listed). The closing frame is
    described from `end`, with offsets relative to the start of `end` and the frame index that
    follows the chunks; when `end` is empty, an END/ERROR found in `head` is described there
    instead (offsets relative to `head`).
    """
    data = bytes(head)
    out: list[WireField] = []
    position = frame = shown = announced = 0
    cut_inside_chunk = False
    while len(data) - position >= protocol.REPLY_HEADER_SIZE and data[position:position + 4] == protocol.MAGIC:
        frame_type = data[position + 5]
        if frame_type != FrameType.CHUNK:
            if not end and frame_type in (FrameType.END, FrameType.ERROR):
                _describe_closing(out, data, position, frame)
            break
        _prefix_fields(out, data, position, frame, "reserved")
        _field(out, data, position, 8, 4, "request id", "identity", frame)
        _field(out, data, position, 12, 4, "count", "workload", frame)
        value_count = _u(data, position + 12, 4)
        announced += value_count
        start = position + protocol.CHUNK_HEADER_SIZE
        stop = start + 4 * value_count
        available = (min(stop, len(data)) - start) // 4
        listed = max(0, min(available, max_values - shown))
        for index in range(listed):
            offset = start + 4 * index
            value = struct.unpack_from(">i", data, offset)[0]
            out.append(WireField(offset, 4, "value", value, "values", frame))
        shown += listed
        rest_start = start + 4 * listed
        rest_stop = min(stop, len(data))
        if rest_stop > rest_start:
            out.append(WireField(rest_start, rest_stop - rest_start, "more values", value_count - listed,
                                 "values", frame))
        frame += 1
        if stop > len(data):
            cut_inside_chunk = True
            break
        position = stop
    if end:
        end_data = bytes(end)
        if cut_inside_chunk and end_data.startswith(_END_PREFIX) and len(end_data) >= 16:
            unseen = _u(end_data, 12, 4) - announced  # whole chunks that never reached `head`
            if unseen > 0:
                frame += -(-unseen // protocol.MAX_CHUNK_VALUES)
        if end_data[:4] == protocol.MAGIC:
            _describe_closing(out, end_data, 0, frame)
    return out


def hex_dump_lines(data: bytes, width: int = 16) -> list[str]:
    """`hexdump -C`-like lines: 8 hex digits of offset, two spaces, the bytes in hex separated by
    single spaces (byte k of a line starts at column 10 + 3*k), two spaces, |printable ASCII|."""
    if width < 1:
        raise ValueError("width must be >= 1")
    data = bytes(data)
    lines = []
    for offset in range(0, len(data), width):
        row = data[offset:offset + width]
        hex_part = " ".join(f"{byte:02x}" for byte in row).ljust(3 * width - 1)
        text = "".join(chr(byte) if 0x20 <= byte < 0x7F else "." for byte in row)
        lines.append(f"{offset:08x}  {hex_part}  |{text}|")
    return lines
