"""One exchange done system call by system call, with a `Stepper` step after each, for a class.

`traced_exchange` speaks the real protocol to a real server (any IPC Lab server, or the C one)
and returns a real `ExchangeResult` plus the exact bytes (`WireCapture`). It reads frame by frame
(header, then payload) so that each step is a real read of a real frame.

FIFO steps: mkfifo (reply FIFO), open (request FIFO), open (reply FIFO), write (request),
read (first frame), read (END), close, unlink. TCP/Unix steps: connect (socket + connect),
send, recv (first frame), recv (END), close. With count 0 there is no CHUNK, so only the END read.
"""

from __future__ import annotations

import errno
import itertools
import os
import stat
import time
from typing import Sequence

import numpy as np

from backend.classroom.stepping import Stepper
from backend.clients.client import check_address
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
from backend.transports.base import (
    ConnectionRefused,
    PeerClosed,
    TimedOut,
    TransportError,
)
from backend.transports.cancel import Cancellation
from backend.transports.fifo import (
    REQUEST_FIFO,
    ReplyReader,
    new_channel_number,
    reply_fifo_name,
    require_fifos,
)
from backend.transports.tcp import connect_tcp
from backend.transports.unix import connect_unix

_request_ids = itertools.count(1)
_perf_ns = time.perf_counter_ns


def traced_exchange(
    transport: str,
    address: str,
    count: int,
    lo: int,
    hi: int,
    stepper: Stepper,
    timeout: float = 30.0,
    seed: int | None = None,
    cancellation: Cancellation | None = None,
) -> tuple[ExchangeResult, WireCapture]:
    """Do one complete exchange, calling `stepper.step(...)` right after each client system call.

    `timeout` bounds each wait for the server (pass a generous one when the server steps too).
    Raises what a client raises (ServerError — with the capture in its `wire` attribute —,
    ProtocolMismatch, TransportError, ...); files and descriptors are released in every case.
    """
    protocol.validate_request_fields(count, lo, hi)
    check_address(transport, address)
    pid = os.getpid()
    channel = new_channel_number()
    request = Request(pid, channel, next(_request_ids) % protocol.UINT32_MAX or 1, count, lo, hi, seed)
    if transport == "fifo":
        return _fifo_exchange(address, request, stepper, timeout, cancellation)
    return _socket_exchange(transport, address, request, stepper, timeout, cancellation)


# -- the FIFO client, one system call at a time -----------------------------------------------

class _FifoEnds:
    """The client's two FIFO descriptors, read and written with poll() timeouts."""

    def __init__(self, request_fd: int, reply_fd: int, cancellation: Cancellation | None) -> None:
        self.request_fd = request_fd
        self.reply_fd = reply_fd
        self.cancellation = cancellation
        self._reply_reader = ReplyReader(reply_fd, request_fd, cancellation)

    def write_all(self, buffers: Sequence[bytes], timeout: float | None) -> int:
        data = b"".join(buffers)
        try:
            written = os.write(self.request_fd, data)  # 48 bytes < PIPE_BUF: all or nothing
        except BlockingIOError:
            raise TimedOut("the request FIFO is full: the server is not reading") from None
        except BrokenPipeError:
            raise PeerClosed("the server no longer reads its request FIFO") from None
        return written

    def read_into(self, view: memoryview, timeout: float | None) -> int:
        return self._reply_reader.read_into(view, timeout)

    def close(self) -> None:
        for name in ("reply_fd", "request_fd"):
            fd = getattr(self, name)
            if fd >= 0:
                os.close(fd)
                setattr(self, name, -1)


def _fifo_exchange(directory: str, request: Request, stepper: Stepper, timeout: float,
                   cancellation: Cancellation | None) -> tuple[ExchangeResult, WireCapture]:
    require_fifos()
    directory = os.path.abspath(directory)
    name = reply_fifo_name(request.pid, request.channel)
    reply_path = os.path.join(directory, name)
    request_path = os.path.join(directory, REQUEST_FIFO)
    pid = request.pid
    ends: _FifoEnds | None = None
    request_fd = reply_fd = -1
    made = False
    try:
        try:
            os.unlink(reply_path)  # a leftover of an earlier process with our pid
        except FileNotFoundError:
            pass
        try:
            os.mkfifo(reply_path, 0o600)
        except FileNotFoundError:
            raise ConnectionRefused(f"no server is serving fifo {directory} (no such directory)") from None
        made = True
        stepper.step("client", "mkfifo",
                     f"The client made its own reply FIFO {name} with mkfifo(), so that the server "
                     "can answer this client and no other.", path=reply_path, pid=pid)
        try:
            request_fd = os.open(request_path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as error:
            if error.errno in (errno.ENXIO, errno.ENOENT):
                raise ConnectionRefused(f"no server is reading fifo {request_path}") from None
            raise TransportError(f"cannot open {request_path}: {error.strerror}") from None
        if not stat.S_ISFIFO(os.fstat(request_fd).st_mode):
            raise TransportError(f"{request_path} is not a FIFO")
        stepper.step("client", "open",
                     f"The client opened the server's well-known request FIFO {REQUEST_FIFO} for writing "
                     f"with open(); it got file descriptor {request_fd}.",
                     path=request_path, fd=request_fd, pid=pid)
        reply_fd = os.open(reply_path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        stepper.step("client", "open",
                     f"The client opened its reply FIFO {name} for reading with open() (file descriptor "
                     f"{reply_fd}) before asking, so the server finds a reader there.",
                     path=reply_path, fd=reply_fd, pid=pid)
        ends = _FifoEnds(request_fd, reply_fd, cancellation)
        request_fd = reply_fd = -1
        result, capture = _talk(ends, request, stepper, timeout, "write", "read",
                                f"into the server's request FIFO {REQUEST_FIFO}", ends.request_fd, ends.reply_fd)
        ends.close()
        ends = None
        stepper.step("client", "close",
                     "The client closed both FIFOs with close(): the request FIFO and its reply FIFO.", pid=pid)
        made = False
        try:
            os.unlink(reply_path)
        except FileNotFoundError:
            pass  # a server that stopped meanwhile removed its directory with our FIFO in it
        stepper.step("client", "unlink",
                     f"The client removed its reply FIFO {name} with unlink(); nothing is left behind.",
                     path=reply_path, pid=pid)
        return result, capture
    finally:
        if ends is not None:
            ends.close()
        for fd in (request_fd, reply_fd):
            if fd >= 0:
                os.close(fd)
        if made:
            try:
                os.unlink(reply_path)
            except FileNotFoundError:
                pass


# -- the socket client ------------------------------------------------------------------------

def _socket_exchange(transport: str, address: str, request: Request, stepper: Stepper, timeout: float,
                     cancellation: Cancellation | None) -> tuple[ExchangeResult, WireCapture]:
    pid = request.pid
    if transport == "tcp":
        channel = connect_tcp(address, min(timeout, 10.0), cancellation)
    elif transport == "unix":
        channel = connect_unix(address, min(timeout, 10.0), cancellation)
    else:
        raise ValueError(f"unknown transport {transport!r}")
    try:
        fd = channel.sock.fileno()
        if transport == "tcp":
            local_host, local_port = channel.sock.getsockname()[:2]
            server_host, server_port = channel.sock.getpeername()[:2]
            stepper.step("client", "connect",
                         f"The client made a TCP socket with socket() and connected it to {server_host} port "
                         f"{server_port} with connect(); the kernel gave the client local port {local_port}.",
                         fd=fd, local_port=local_port, port=server_port, host=server_host,
                         local_host=local_host, pid=pid)
        else:
            stepper.step("client", "connect",
                         f"The client made a Unix-domain socket with socket() and connected it to the file "
                         f"{address} with connect().", fd=fd, path=address, pid=pid)
        result, capture = _talk(channel, request, stepper, timeout, "send", "recv", "over the socket", fd, fd)
    finally:
        channel.close()
    stepper.step("client", "close", "The client closed its socket with close(); the server sees end-of-file.",
                 fd=fd, pid=pid)
    return result, capture


# -- the exchange itself, shared ------------------------------------------------------------

def _read_exact(channel, recorder: WireRecorder, view: memoryview, timeout: float, first: list[int]) -> None:
    done = 0
    while done < len(view):
        count = channel.read_into(view[done:], timeout)
        if count == 0:
            raise ServerVanished("the server closed the channel before the reply was complete")
        if not first[0]:
            first[0] = _perf_ns()
        recorder.read(view[done:done + count])
        done += count


def _talk(channel, request: Request, stepper: Stepper, timeout: float, write_call: str, read_call: str,
          where: str, write_fd: int, read_fd: int) -> tuple[ExchangeResult, WireCapture]:
    """Send the request and read the reply frame by frame, stepping after the write, the first
    frame and the END."""
    pid, count = request.pid, request.count
    recorder = WireRecorder()
    frame = protocol.encode_request(request)
    recorder.wrote([frame])
    send_ns = _perf_ns()
    channel.write_all([frame], timeout)
    stepper.step("client", write_call,
                 f"The client wrote its {len(frame)}-byte request {where} with {write_call}(): "
                 f"{count} numbers in {request.lo}..{request.hi}, request id {request.request_id}.",
                 bytes=len(frame), fd=write_fd, request_id=request.request_id, count=count,
                 lo=request.lo, hi=request.hi, pid=pid)
    values = np.empty(count, dtype=WIRE_DTYPE)
    header = bytearray(protocol.REPLY_HEADER_SIZE)
    first = [0]
    received = 0
    frames = 0
    while True:
        _read_exact(channel, recorder, memoryview(header), timeout, first)
        try:
            frame_type, request_id, size = protocol.decode_reply_header(header)
        except ProtocolError as error:
            raise ProtocolMismatch(f"bad reply frame: {error.message}") from None
        if frame_type == FrameType.ERROR:
            body = bytearray(size)
            _read_exact(channel, recorder, memoryview(body), timeout, first)
            error = protocol.decode_error(bytes(header) + bytes(body))
            stepper.step("client", read_call,
                         f"The client read an ERROR frame with {read_call}(): {protocol.error_name(error.code)} "
                         f"— {error.message}", bytes=len(header) + size, fd=read_fd, frame="ERROR",
                         code=error.code, pid=pid)
            failure = ServerError(error.code, error.message)
            failure.wire = recorder.capture()  # type: ignore[attr-defined]
            raise failure
        if request_id != request.request_id:
            raise ProtocolMismatch(f"reply for request {request_id}, expected {request.request_id}")
        if frame_type == FrameType.CHUNK:
            if received + size > count:
                raise ProtocolMismatch(f"server sent more than the {count} values requested")
            target = values[received:received + size]
            _read_exact(channel, recorder, memoryview(target).cast("B"), timeout, first)
            received += size
            frames += 1
            if frames == 1:
                shown = [int(v) for v in target[:10]]
                stepper.step("client", read_call,
                             f"The client read the first reply frame with {read_call}(): a CHUNK of {size} "
                             f"numbers ({protocol.CHUNK_HEADER_SIZE + 4 * size} bytes), starting "
                             f"{', '.join(map(str, shown))}{' ...' if size > 10 else ''}.",
                             bytes=protocol.CHUNK_HEADER_SIZE + 4 * size, fd=read_fd, frame="CHUNK",
                             values=size, first_values=shown, pid=pid)
            continue
        rest = bytearray(protocol.END_SIZE - protocol.REPLY_HEADER_SIZE)
        _read_exact(channel, recorder, memoryview(rest), timeout, first)
        last_ns = _perf_ns()
        end = protocol.decode_end(bytes(header) + bytes(rest))
        if end.total_count != count or received != count:
            raise ProtocolMismatch(
                f"reply ended after {received} values (END says {end.total_count}), expected {count}"
            )
        stepper.step("client", read_call,
                     f"The client read the 40-byte END frame with {read_call}(): server pid {end.server_pid} "
                     f"sent all {count} numbers, the reply is complete.",
                     bytes=protocol.END_SIZE, fd=read_fd, frame="END", server_pid=end.server_pid,
                     total=end.total_count, pid=pid)
        capture = recorder.capture()
        result = ExchangeResult(
            request.request_id, count, values, send_ns, first[0] or last_ns, last_ns, end.server_pid,
            end.generation_ns, end.service_ns, capture.reply_total_bytes,
        )
        return result, capture
