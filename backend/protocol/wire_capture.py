"""Wire capture: the exact bytes of one exchange, recorded as the client writes and reads them.

`make_client(..., capture_wire=True)` wraps the client's channel in a `CapturingChannel` that tells
a `WireRecorder` every byte; `client.last_wire` is then a `WireCapture`. Capture is off by default
and then costs nothing. The classroom's `wire_fields` names every field of those bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from backend.protocol import frames as protocol
from backend.protocol.frames import FrameType

HEAD_LIMIT = 4096  # bytes of the reply's beginning kept by a capture
_TAIL_LIMIT = protocol.ERROR_HEADER_SIZE + protocol.MAX_ERROR_MESSAGE  # the largest closing frame
_END_PREFIX = protocol.MAGIC + bytes([protocol.VERSION, FrameType.END])
_ERROR_PREFIX = protocol.MAGIC + bytes([protocol.VERSION, FrameType.ERROR])


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
