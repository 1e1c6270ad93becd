"""One exchange done system call by system call, with a `Stepper` step after each, for a class.

`traced_exchange` speaks the real protocol to a real server (any IPC Lab server, or the C one)
and returns a real `ExchangeResult` plus the exact bytes (`WireCapture`). Every step names the
system call as the kernel knows it (strace shows the same): C's open() is the openat system
call, mkfifo() is mknodat, Python's sock.recv_into() is recvfrom. The flags in the sentences
are built from the very flags variables passed to the kernel.

FIFO steps: mknodat (the reply FIFO), openat (request FIFO), openat (reply FIFO), write
(request), readv (the reply, usually in one read), close, close, unlink. TCP/Unix steps: socket,
connect, sendto (request), recvfrom (the reply), close.
"""

from __future__ import annotations

import errno
import itertools
import os
import platform
import socket
import stat
import struct
import time

from backend.classroom.call_words import flag_reasons, open_flag_names
from backend.sentence_words import Field, Words
from backend.classroom.stepping import Stepper
from backend.classroom.traced_reply import ClientCalls, talk
from backend.clients.client import check_address
from backend.protocol import frames as protocol
from backend.protocol.engine import ExchangeResult
from backend.protocol.frames import Request
from backend.protocol.wire_capture import WireCapture
from backend.transports.base import ConnectionRefused, TimedOut, TransportError
from backend.transports.cancel import Cancellation
from backend.transports.fifo import (
    REQUEST_FIFO,
    ReplyReader,
    new_channel_number,
    reply_fifo_name,
    require_fifos,
)
from backend.transports.sockets import SocketChannel
from backend.transports.tcp import parse_tcp_address

_request_ids = itertools.count(1)
# glibc's unlink() is the unlink system call where the kernel still has it (x86), unlinkat elsewhere.
UNLINK_CALL = "unlink" if platform.machine() in ("x86_64", "i386", "i686") else "unlinkat"

REQUEST_FIFO_FLAGS = os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC
REQUEST_FIFO_REASONS = {
    "O_WRONLY": "the client only writes requests into this FIFO",
    "O_NONBLOCK": "if no server has the FIFO open for reading, open() fails at once with ENXIO "
                  "(\"no server\") instead of waiting for one forever",
}
REPLY_FIFO_FLAGS = os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC
REPLY_FIFO_REASONS = {
    "O_RDWR": "reading and writing: the client only reads replies here, but holding a write end "
              "itself means open() need not wait for the server and read() never reports "
              "end-of-file between replies",
    "O_NONBLOCK": "read() returns EAGAIN instead of waiting, so the client waits in poll() with a "
                  "timeout and notices a server that died",
}
SOCKET_TYPE = socket.SOCK_STREAM | socket.SOCK_CLOEXEC


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
    channel = new_channel_number()
    request = Request(os.getpid(), channel, next(_request_ids) % protocol.UINT32_MAX or 1, count, lo, hi, seed)
    if transport == "fifo":
        return _fifo_exchange(address, request, stepper, timeout, cancellation)
    return _socket_exchange(transport, address, request, stepper, timeout, cancellation)


# -- the FIFO client, one system call at a time -----------------------------------------------

def _fifo_exchange(directory: str, request: Request, stepper: Stepper, timeout: float,
                   cancellation: Cancellation | None) -> tuple[ExchangeResult, WireCapture]:
    require_fifos()
    directory = os.path.abspath(directory)
    name = reply_fifo_name(request.pid, request.channel)
    reply_path = os.path.join(directory, name)
    request_path = os.path.join(directory, REQUEST_FIFO)
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
        stepper.step("client", "mknodat",
                     Words("The client made its own reply FIFO {name} with mkfifo() (the mknodat system call, mode "
                           "0600: only this user may open it), so that the server can answer this client and no "
                           "other.", {"name": name}),
                     time_ns=time.monotonic_ns(), path=reply_path, mode="S_IFIFO|0600")
        try:
            request_fd = os.open(request_path, REQUEST_FIFO_FLAGS)
        except OSError as error:
            if error.errno in (errno.ENXIO, errno.ENOENT):
                raise ConnectionRefused(f"no server is reading fifo {request_path}") from None
            raise TransportError(f"cannot open {request_path}: {error.strerror}") from None
        opened_ns = time.monotonic_ns()
        if not stat.S_ISFIFO(os.fstat(request_fd).st_mode):
            raise TransportError(f"{request_path} is not a FIFO")
        _open_step(stepper, opened_ns, Words("the server's well-known request FIFO {name}", {"name": REQUEST_FIFO}),
                   "", request_path, REQUEST_FIFO_FLAGS, REQUEST_FIFO_REASONS, request_fd)
        reply_fd = os.open(reply_path, REPLY_FIFO_FLAGS)
        _open_step(stepper, time.monotonic_ns(), Words("its reply FIFO {name}", {"name": name}),
                   Words(" It opens it before asking, so that the server finds a reader there."), reply_path,
                   REPLY_FIFO_FLAGS, REPLY_FIFO_REASONS, reply_fd)
        reader = ReplyReader(reply_fd, request_fd, cancellation)
        calls = ClientCalls(
            write=lambda data: _write_request(request_fd, data), write_call="write", write_fd=request_fd,
            read=lambda view: reader.read_into(view, timeout), read_call="readv", read_fd=reply_fd,
            where=Words("into the request FIFO {name}", {"name": REQUEST_FIFO}),
            write_note=Words(" It is smaller than PIPE_BUF (4096 bytes), so it goes in whole, never mixed with "
                             "another client's request."),
        )
        result, capture = talk(calls, request, stepper)
        for fd, what in ((reply_fd, Words("its reply FIFO {name}", {"name": name})),
                         (request_fd, Words("the request FIFO {name}", {"name": REQUEST_FIFO}))):
            os.close(fd)
            stepper.step("client", "close",
                         Words("The client closed {what} (file descriptor {fd}) with close().", {"what": what, "fd": fd}),
                         time_ns=time.monotonic_ns(), fd=fd, path=reply_path if fd == reply_fd else request_path)
        request_fd = reply_fd = -1
        made = False
        try:
            os.unlink(reply_path)
        except FileNotFoundError:
            pass  # a server that stopped meanwhile removed its directory with our FIFO in it
        stepper.step("client", UNLINK_CALL,
                     Words("The client removed its reply FIFO {name} with {call}(); nothing is left behind.",
                           {"name": name, "call": UNLINK_CALL}),
                     time_ns=time.monotonic_ns(), path=reply_path)
        return result, capture
    finally:
        for fd in (request_fd, reply_fd):
            if fd >= 0:
                os.close(fd)
        if made:
            try:
                os.unlink(reply_path)
            except FileNotFoundError:
                pass


def _open_step(stepper: Stepper, returned_ns: int, what: Field, purpose: Field, path: str, flags: int,
               reasons: dict[str, str], fd: int) -> None:
    names = open_flag_names(flags)
    stepper.step("client", "openat",
                 Words("The client opened {what} with open() (the openat system call) and the flags {flags}; it "
                       "got file descriptor {fd}.{purpose} Why: {why}.",
                       {"what": what, "flags": "|".join(names), "fd": fd, "purpose": purpose,
                        "why": flag_reasons(names, reasons)}),
                 time_ns=returned_ns, path=path, flags="|".join(names), fd=fd)


def _write_request(fd: int, data: bytes) -> int:
    try:
        return os.write(fd, data)  # 48 bytes < PIPE_BUF: all or nothing
    except BlockingIOError:
        raise TimedOut("the request FIFO is full: the server is not reading") from None
    except BrokenPipeError:
        raise TransportError("the server no longer reads its request FIFO") from None


# -- the socket client ------------------------------------------------------------------------

def _socket_exchange(transport: str, address: str, request: Request, stepper: Stepper, timeout: float,
                     cancellation: Cancellation | None) -> tuple[ExchangeResult, WireCapture]:
    if transport == "tcp":
        host, port = parse_tcp_address(address)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        target: object = (host, port)
        domain = "AF_INET6" if family == socket.AF_INET6 else "AF_INET"
    elif transport == "unix":
        family, target, domain = socket.AF_UNIX, address, "AF_UNIX"
    else:
        raise ValueError(f"unknown transport {transport!r}")
    sock = socket.socket(family, SOCKET_TYPE)
    fd = sock.fileno()
    channel = None
    try:
        stepper.step("client", "socket",
                     Words("The client made a TCP stream socket with socket({domain}, SOCK_STREAM|SOCK_CLOEXEC, 0) "
                           "and got file descriptor {fd}. Why: {why}." if transport == "tcp" else
                           "The client made a Unix-domain stream socket with socket({domain}, "
                           "SOCK_STREAM|SOCK_CLOEXEC, 0) and got file descriptor {fd}. Why: {why}.",
                           {"domain": domain, "fd": fd, "why": flag_reasons(["SOCK_CLOEXEC"])}),
                     time_ns=time.monotonic_ns(), fd=fd, flags="SOCK_STREAM|SOCK_CLOEXEC", domain=domain)
        _connect(sock, transport, address, target, timeout)
        connected_ns = time.monotonic_ns()
        if transport == "tcp":
            local_host, local_port = sock.getsockname()[:2]
            server_host, server_port = sock.getpeername()[:2]
            if (local_host, local_port) == (server_host, server_port):
                raise ConnectionRefused(f"no server is listening at tcp {address}")  # connected to itself
            stepper.step("client", "connect",
                         Words("The client connected its socket to {host} port {port} with connect(); the kernel "
                               "chose the client's own port, {local_port}.",
                               {"host": server_host, "port": server_port, "local_port": local_port}),
                         time_ns=connected_ns, sends=("connection", 1), fd=fd, port=server_port,
                         host=server_host, local_port=local_port, local_host=local_host)
        else:
            stepper.step("client", "connect",
                         Words("The client connected its socket to the server's socket file {path} with connect().",
                               {"path": address}),
                         time_ns=connected_ns, sends=("connection", 1), fd=fd, path=address)
        channel = SocketChannel(sock, cancellation)
        calls = ClientCalls(
            write=lambda data: channel.write_all([data], timeout), write_call="sendto", write_fd=fd,
            read=lambda view: channel.read_into(view, timeout), read_call="recvfrom", read_fd=fd,
            where=Words("into the socket"), write_flags="0", read_flags="0",
        )
        result, capture = talk(calls, request, stepper)
    finally:
        if channel is not None:
            channel.close()
        else:
            sock.close()
    stepper.step("client", "close",
                 Words("The client closed its socket (file descriptor {fd}) with close(); the server's next read "
                       "on this connection returns 0 bytes: end of file.", {"fd": fd}), time_ns=time.monotonic_ns(), fd=fd)
    return result, capture


def _connect(sock: socket.socket, transport: str, address: str, target: object, timeout: float) -> None:
    """A plain blocking connect() (one system call); SO_SNDTIMEO bounds how long it may take."""
    seconds = min(timeout, 10.0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                    struct.pack("@ll", int(seconds), int(seconds % 1 * 1_000_000)))
    try:
        sock.connect(target)
    except (ConnectionRefusedError, FileNotFoundError):
        raise ConnectionRefused(f"no server is listening at {transport} {address}") from None
    except (BlockingIOError, socket.timeout):
        raise TimedOut(f"connecting to {transport} {address} timed out") from None
    except OSError as error:
        raise TransportError(f"cannot connect to {transport} {address}: {error.strerror or error}") from None
