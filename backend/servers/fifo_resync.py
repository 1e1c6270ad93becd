"""Resynchronising the FIFO server's request stream: where the next valid request can start.

Every client writes to one request FIFO, so garbage from one writer (a fragment, a wrong version)
must never swallow a valid request behind it; `FifoServer._process_buffer` uses these two scans.
"""

from __future__ import annotations

import zlib

from backend.protocol import frames as protocol


def magic_prefix_at_end(buffer: bytearray, start: int) -> int:
    """How many bytes at the end of buffer[start:] are a proper beginning of the magic (0..3)."""
    for length in range(min(len(protocol.MAGIC) - 1, len(buffer) - start), 0, -1):
        if buffer.endswith(protocol.MAGIC[:length]):
            return length
    return 0


def next_valid_request(buffer: bytearray, start: int, size: int) -> int:
    """The position of the first complete, valid version-1 request at or after `start`, or -1."""
    position = start
    while True:
        position = buffer.find(protocol.MAGIC, position, size)
        if position < 0 or size - position < protocol.REQUEST_SIZE:
            return -1
        if (buffer[position + 4] == protocol.VERSION
                and int.from_bytes(buffer[position + 6:position + 8], "big") == protocol.REQUEST_SIZE
                and zlib.crc32(buffer[position:position + protocol.REQUEST_CRC_OFFSET])
                == int.from_bytes(buffer[position + protocol.REQUEST_CRC_OFFSET:position + protocol.REQUEST_SIZE], "big")):
            return position
        position += 1
