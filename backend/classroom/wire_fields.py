"""Byte-level descriptions of frames, to show a class the bytes that travel.

`describe_request` and `describe_reply` name every field of a `WireCapture`'s bytes (offset,
length, decoded value, a colour group) and `hex_dump_lines` prints them like `hexdump -C`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from backend.protocol import frames as protocol
from backend.protocol.frames import FrameType

_END_PREFIX = protocol.MAGIC + bytes([protocol.VERSION, FrameType.END])

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
