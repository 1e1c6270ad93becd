"""The client's side of one exchange once it is connected: write the request, read the reply, one
system call per step.

Each read is one system call into a buffer; the frames it completed are then taken apart, and
the step says exactly what that call brought: "76 bytes: a CHUNK frame of 5 numbers and the END
frame". Usually the whole reply arrives in one read; a large one takes several.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from backend.classroom.call_words import call_words
from backend.sentence_words import Field, Words, joined
from backend.classroom.stepping import Stepper
from backend.protocol import frames as protocol
from backend.protocol.engine import (
    WIRE_DTYPE,
    ExchangeResult,
    ProtocolMismatch,
    ServerError,
    ServerVanished,
)
from backend.protocol.frames import FrameType, ProtocolError, Request
from backend.protocol.wire_capture import WireCapture, WireRecorder

READ_BUFFER_LIMIT = 1 << 20  # bytes asked for in one read at most
_perf_ns = time.perf_counter_ns


@dataclass
class ClientCalls:
    """How this client writes and reads: the calls, their kernel names and descriptors."""

    write: Callable[[bytes], int]  # one system call, returns the bytes written
    write_call: str  # "write", "sendto"
    write_fd: int
    read: Callable[[memoryview], int]  # one successful system call, returns the bytes read (0: end)
    read_call: str  # "readv", "recvfrom"
    read_fd: int
    where: Field  # "into the request FIFO request.fifo", "into the socket"
    write_note: Field = ""  # a sentence on why this write is safe
    write_flags: str | None = None  # the flags argument, for calls that take one ("0")
    read_flags: str | None = None


def reply_size(count: int) -> int:
    """Bytes of a complete successful reply: CHUNK frames of the values, then the END frame."""
    chunks = -(-count // protocol.MAX_CHUNK_VALUES)
    return 4 * count + protocol.CHUNK_HEADER_SIZE * chunks + protocol.END_SIZE


class _ReplyFrames:
    """Takes the reply apart as its bytes arrive; says what each read completed."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.values = np.empty(request.count, dtype=WIRE_DTYPE)
        self.received = 0
        self.pending = bytearray()
        self.end: protocol.EndFrame | None = None
        self.error: protocol.ErrorFrame | None = None

    def feed(self, data: memoryview) -> list[Field]:
        """Add the bytes of one read; return a phrase for each frame they completed."""
        self.pending += data
        phrases: list[Field] = []
        while self.end is None and self.error is None and len(self.pending) >= protocol.REPLY_HEADER_SIZE:
            try:
                frame_type, request_id, size = protocol.decode_reply_header(self.pending)
            except ProtocolError as error:
                raise ProtocolMismatch(f"bad reply frame: {error.message}") from None
            length = protocol.REPLY_HEADER_SIZE + (4 * size if frame_type == FrameType.CHUNK else size)
            if len(self.pending) < length:
                break
            frame = bytes(self.pending[:length])
            del self.pending[:length]
            if frame_type == FrameType.ERROR:
                self.error = protocol.decode_error(frame)
                phrases.append(Words("an ERROR frame: {code}, {message}", {
                    "code": protocol.error_name(self.error.code), "message": self.error.message}))
                continue
            if request_id != self.request.request_id:
                raise ProtocolMismatch(f"reply for request {request_id}, expected {self.request.request_id}")
            if frame_type == FrameType.CHUNK:
                if self.received + size > self.request.count:
                    raise ProtocolMismatch(f"server sent more than the {self.request.count} values requested")
                chunk = np.frombuffer(frame, dtype=WIRE_DTYPE, offset=protocol.CHUNK_HEADER_SIZE)
                self.values[self.received:self.received + size] = chunk
                self.received += size
                shown = ", ".join(str(int(value)) for value in chunk[:10]) + (" ..." if size > 10 else "")
                phrases.append(Words("a CHUNK frame of {size} number ({length} bytes: {values})" if size == 1 else
                                     "a CHUNK frame of {size} numbers ({length} bytes: {values})",
                                     {"size": size, "length": length, "values": shown}))
                continue
            self.end = protocol.decode_end(frame)
            if self.end.total_count != self.request.count or self.received != self.request.count:
                raise ProtocolMismatch(f"reply ended after {self.received} values (END says "
                                       f"{self.end.total_count}), expected {self.request.count}")
            phrases.append(Words("the {length}-byte END frame from server pid {pid}",
                                 {"length": length, "pid": self.end.server_pid}))
        if self.pending and self.end is None and self.error is None:
            phrases.append(Words("the first {count} bytes of the next frame", {"count": len(self.pending)}))
        return phrases


def talk(calls: ClientCalls, request: Request, stepper: Stepper) -> tuple[ExchangeResult, WireCapture]:
    """Send the request (one step) and read the reply (one step per read)."""
    count = request.count
    recorder = WireRecorder()
    frame = protocol.encode_request(request)
    recorder.wrote([frame])
    send_ns = _perf_ns()
    written = calls.write(frame)
    stepper.step("client", calls.write_call,
                 Words("The client wrote its {bytes}-byte request {where} with {call} on file descriptor {fd}: "
                       "{count} numbers in {lo}..{hi}, request id {request_id}.{note}",
                       {"bytes": written, "where": calls.where, "call": call_words(calls.write_call),
                        "fd": calls.write_fd, "count": count, "lo": request.lo, "hi": request.hi,
                        "request_id": request.request_id, "note": calls.write_note}),
                 time_ns=time.monotonic_ns(), sends=("request", written), bytes=written, fd=calls.write_fd,
                 flags=calls.write_flags, request_id=request.request_id, count=count, lo=request.lo,
                 hi=request.hi)
    frames = _ReplyFrames(request)
    buffer = bytearray(min(READ_BUFFER_LIMIT, max(reply_size(count), protocol.ERROR_HEADER_SIZE
                                                  + protocol.MAX_ERROR_MESSAGE)))
    view = memoryview(buffer)
    offset = 0
    first_ns = 0
    while frames.end is None and frames.error is None:
        got = calls.read(view)
        returned_ns = time.monotonic_ns()
        if got == 0:
            raise ServerVanished("the server closed the channel before the reply was complete")
        first_ns = first_ns or _perf_ns()
        recorder.read(view[:got])
        phrases = frames.feed(view[:got])
        done = frames.end is not None
        stepper.step("client", calls.read_call,
                     Words("The client read {bytes} bytes of the reply with {call} on file descriptor {fd}: "
                           "{frames} — the reply is complete." if done else
                           "The client read {bytes} bytes of the reply with {call} on file descriptor {fd}: "
                           "{frames}.",
                           {"bytes": got, "call": call_words(calls.read_call), "fd": calls.read_fd,
                            "frames": joined(phrases)}),
                     time_ns=returned_ns, receives=("reply", offset), bytes=got, fd=calls.read_fd,
                     flags=calls.read_flags, values_so_far=frames.received,
                     server_pid=frames.end.server_pid if done else None)
        offset += got
    if frames.error is not None:
        failure = ServerError(frames.error.code, frames.error.message)
        failure.wire = recorder.capture()  # type: ignore[attr-defined]
        raise failure
    last_ns = _perf_ns()
    capture = recorder.capture()
    end = frames.end
    assert end is not None
    result = ExchangeResult(request.request_id, count, frames.values, send_ns, first_ns or last_ns, last_ns,
                            end.server_pid, end.generation_ns, end.service_ns, capture.reply_total_bytes)
    return result, capture

