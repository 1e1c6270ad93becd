"""`ipclab serve TRANSPORT --step`: servers that pause after each system call, for a class.

At each step the server prints an event line `{"event":"step","time":...}` with the step's
fields (`Step.to_record()`: actor, pid, tid, number, syscall, flags, path, fd, bytes, time_ns,
sentence, sends, receives, detail) and waits as its `Stepper` says. Commands arrive on stdin, one per line: `next` (advance one step),
`delay SECONDS` (slow motion; `delay 0` runs freely), `step` (wait for `next` again), `run`
(same as `delay 0`). End of stdin means run freely, so a vanished controller never leaves the
server blocked. Requests are served one at a time. These classes replace the normal ones only
with `--step`: the normal servers' hot path is untouched.

FIFO steps per request: read (the request from request.fifo), generate, openat (the client's
reply FIFO), writev (the reply, one step per call). Socket steps: accept4 (new connection),
recvfrom (the request), generate, sendmsg (the reply, one step per call). Each step carries the
time its system call returned (`time.monotonic_ns()`) and what it sent or received (see
`backend.classroom.stepping`). The reply is written here with one explicit system call per step.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import sys
import threading
import time
from typing import Callable, Sequence, TextIO

from backend.classroom.call_words import WHY, call_words, flag_reasons, open_flag_names, open_flags_text
from backend.sentence_words import Field, Words, joined
from backend.classroom.stepping import Step, Stepper
from backend.protocol import frames as protocol
from backend.protocol.engine import RandomSource
from backend.protocol.frames import ProtocolError, Request
from backend.servers.events import EventWriter
from backend.servers.fifo_server import REQUEST_KEEPALIVE_FLAGS, REQUEST_READ_FLAGS, FifoServer
from backend.servers.server import Server, ServerConfig
from backend.servers.socket_server import SocketServer
from backend.transports.base import (
    Cancelled,
    Channel,
    PeerClosed,
    TimedOut,
    TransportError,
    drop_written,
)
from backend.transports.cancel import Cancellation
from backend.transports.fifo import REPLY_WRITE_FLAGS, FifoWriteChannel, ReplyFifoError, reply_fifo_name
from backend.transports.sockets import SocketChannel

_perf_ns = time.perf_counter_ns
REPLY_FIFO_REASONS = {
    "O_WRONLY": "the server only writes the reply",
    "O_NONBLOCK": "if the client is gone (no reader), open() fails at once with ENXIO instead of "
                  "blocking the server forever",
    "O_NOFOLLOW": "refuse a symbolic link planted under the client's name (it could point at any "
                  "file of this user's)",
}


def step_event_writer(events: EventWriter) -> Callable[[Step], None]:
    """An `on_step` callback printing each step as a `step` event line (always printed)."""

    def emit(step: Step) -> None:
        events.emit("step", **step.to_record())

    return emit


def apply_step_command(stepper: Stepper, line: str) -> str | None:
    """Carry out one stdin command; return an error message for a line that is not one."""
    words = line.split()
    if not words:
        return None
    command = words[0].lower()
    if command == "next" and len(words) == 1:
        stepper.advance()
    elif command == "step" and len(words) == 1:
        stepper.set_mode("step")
    elif command == "run" and len(words) == 1:
        stepper.set_mode("run")
    elif command == "delay" and len(words) == 2:
        try:
            seconds = float(words[1])
        except ValueError:
            return f"delay needs a number of seconds, got {words[1]!r}"
        if not 0 <= seconds <= 3600:
            return f"delay must be in 0..3600 seconds, got {words[1]}"
        if seconds == 0:
            stepper.set_mode("run", 0.0)
        else:
            stepper.set_mode("slow", seconds)
    else:
        return f"unknown step command {line.strip()!r} (expected next, delay SECONDS, step or run)"
    return None


def start_command_reader(stepper: Stepper, stream: TextIO | None = None,
                         on_error: Callable[[str], None] | None = None) -> threading.Thread:
    """Read step commands from `stream` (stdin) in a daemon thread; at end of input, run freely."""
    source = stream if stream is not None else sys.stdin

    def read() -> None:
        try:
            for line in source:
                message = apply_step_command(stepper, line)
                if message and on_error is not None:
                    on_error(message)
        except (OSError, ValueError):
            pass
        finally:
            stepper.release()

    thread = threading.Thread(target=read, name="ipclab-step-commands", daemon=True)
    thread.start()
    return thread


class _SteppedMixin:
    """The stepped reply: generate, (FIFO: openat), then one write system call per step."""

    stepper: Stepper
    events: EventWriter
    config: ServerConfig
    cancellation: Cancellation

    def stop(self) -> None:
        self.stepper.release()
        super().stop()  # type: ignore[misc]

    def _stepped_reply(self, request: Request, client: str, received_ns: int,
                       open_channel: Callable[[], Channel] | None, channel: Channel | None) -> None:
        """Generate the reply, open the channel if needed, write it; a step after each."""
        stepper = self.stepper
        events = self.events
        events.exchange(
            "request", client=client, pid=request.pid, channel=request.channel, request_id=request.request_id,
            count=request.count, lo=request.lo, hi=request.hi, seed=request.seed,
        )
        source = RandomSource.for_request(request.seed) if request.seed is not None else self.random_source()  # type: ignore[attr-defined]
        count, lo, hi, request_id = request.count, request.lo, request.hi, request.request_id
        first_size = min(count, protocol.MAX_CHUNK_VALUES)
        before = _perf_ns()
        values = source.wire_values(first_size, lo, hi) if first_size else None
        generation_ns = _perf_ns() - before
        shown = [] if values is None else [int(v) for v in values[:10].astype("i4")]
        stepper.step("server", "generate",
                     Words("The server generated {count} random numbers in {lo}..{hi} with numpy{later}: {values}."
                           if shown else "The server generated {count} random numbers in {lo}..{hi} with numpy{later}.",
                           {"count": count, "lo": lo, "hi": hi,
                            "later": Words(" (the first {first} now, the rest while sending)", {"first": first_size})
                            if first_size < count else "",
                            "values": ", ".join(map(str, shown)) + (" ..." if count > 10 else "")}),
                     count=count, lo=lo, hi=hi, first_values=shown, generation_us=round(generation_ns / 1000, 1))
        if open_channel is not None:
            channel = open_channel()
        assert channel is not None
        writer = _ReplyWriter(self, channel, request_id)
        try:
            if values is not None:
                header = protocol.encode_chunk_header(request_id, first_size)
                if first_size == count:
                    end = protocol.EndFrame(request_id, count, self._pid, generation_ns, _perf_ns() - received_ns)
                    writer.write([header, values, protocol.encode_end(end)],
                                 [_chunk_name(first_size), Words("the END frame")])
                    values = None
                else:
                    writer.write([header, values], [_chunk_name(first_size)])
                    remaining = count - first_size
                    while remaining:
                        size = min(remaining, protocol.MAX_CHUNK_VALUES)
                        before = _perf_ns()
                        chunk = source.wire_values(size, lo, hi)
                        generation_ns += _perf_ns() - before
                        writer.write([protocol.encode_chunk_header(request_id, size), chunk], [_chunk_name(size)])
                        remaining -= size
            if writer.sent == 0 or values is not None:
                end = protocol.EndFrame(request_id, count, self._pid, generation_ns, _perf_ns() - received_ns)
                writer.write([protocol.encode_end(end)], [Words("the END frame")])
        finally:
            if open_channel is not None:
                channel.close()
        sent = writer.sent
        events.count_reply(count, sent)
        events.exchange(
            "reply_sent", client=client, pid=request.pid, request_id=request_id, count=count, bytes=sent,
            generation_us=round(generation_ns / 1000, 1), service_us=round((_perf_ns() - received_ns) / 1000, 1),
        )

    @property
    def _pid(self) -> int:
        return os.getpid()


class _ReplyWriter:
    """Writes the reply's frames with one system call per step (writev on a FIFO, sendmsg on a
    socket), saying which frames, or which part of a frame, each call carried."""

    def __init__(self, server: _SteppedMixin, channel: Channel, request_id: int) -> None:
        self.server = server
        self.channel = channel
        self.request_id = request_id
        self.sent = 0
        self.is_socket = isinstance(channel, SocketChannel)
        self.call = "sendmsg" if self.is_socket else "writev"
        self.timeout = server.config.write_timeout
        if self.is_socket:  # the socket is blocking: SO_SNDTIMEO bounds each sendmsg
            channel.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _timeval(self.timeout))

    def write(self, buffers: Sequence[object], names: list[Words]) -> None:
        pending = [memoryview(buffer).cast("B") for buffer in buffers if len(buffer)]  # type: ignore[arg-type]
        frames = []  # (name, first byte, end) in this reply
        position = self.sent
        for name, size in zip(names, _frame_sizes(pending, names)):
            frames.append((name, position, position + size))
            position += size
        while pending:
            start = self.sent
            written = self._one_call(pending[:64])
            returned_ns = time.monotonic_ns()
            drop_written(pending, written)
            self.sent += written
            fd = self.channel.write_fd
            self.server.stepper.step(
                "server", self.call,
                Words("The server wrote {bytes} bytes of its reply with {call} on file descriptor {fd}: {frames}; "
                      "the client can read them now.",
                      {"bytes": written, "call": call_words(self.call), "fd": fd,
                       "frames": _covered(frames, start, self.sent)}),
                time_ns=returned_ns, sends=("reply", self.sent), bytes=written, fd=fd,
                flags="0" if self.is_socket else None, request_id=self.request_id)

    def _one_call(self, buffers: list[memoryview]) -> int:
        """Exactly one successful write system call (waiting for room first if need be)."""
        while True:
            try:
                if self.is_socket:
                    return self.channel.sock.sendmsg(buffers)  # type: ignore[attr-defined]
                return os.writev(self.channel.write_fd, buffers)
            except BlockingIOError:
                if self.is_socket:
                    raise TimedOut(f"the client accepted no data for {self.timeout:g} s") from None
                poller = select.poll()
                poller.register(self.channel.write_fd, select.POLLOUT)
                poller.register(self.server.cancellation.fd, select.POLLIN)  # the server is stopping
                ready = [fd for fd, _ in poller.poll(int(self.timeout * 1000))]
                if self.server.cancellation.fd in ready:
                    raise Cancelled("the server is stopping")
                if not ready:
                    raise TimedOut(f"the client read nothing for {self.timeout:g} s") from None
            except (BrokenPipeError, ConnectionResetError) as error:
                raise PeerClosed(f"the client closed its end: {error}") from None


def _timeval(seconds: float) -> bytes:
    return struct.pack("@ll", int(seconds), int(seconds % 1 * 1_000_000))


def _chunk_name(size: int) -> Words:
    return Words("the CHUNK frame of {size} number" if size == 1 else "the CHUNK frame of {size} numbers",
                 {"size": size})


def _frame_sizes(buffers: list[memoryview], names: list[Words]) -> list[int]:
    """Bytes of each named frame: a CHUNK is its header and values (two buffers), END one buffer."""
    sizes = [len(buffer) for buffer in buffers]
    if len(names) < len(sizes):  # header + values make one CHUNK frame
        sizes = [sizes[0] + sizes[1]] + sizes[2:]
    return sizes


def _covered(frames: list[tuple[Words, int, int]], start: int, end: int) -> Field:
    """Which frames (or parts of frames) the bytes start..end of the reply are."""
    parts: list[Field] = []
    for name, first, last in frames:
        if last <= start or first >= end:
            continue
        if first >= start and last <= end:
            parts.append(Words("{frame} ({bytes} bytes)", {"frame": name, "bytes": last - first}))
        else:
            parts.append(Words("{bytes} bytes of {frame}", {"frame": name, "bytes": min(end, last) - max(start, first)}))
    return joined(parts)


class SteppedFifoServer(_SteppedMixin, FifoServer):
    """The FIFO server, one request at a time, pausing after each system call."""

    def __init__(self, config: ServerConfig, events: EventWriter, stepper: Stepper) -> None:
        super().__init__(config, events)
        self.stepper = stepper
        self._read_returned = (0, 0)  # (time.monotonic_ns(), bytes) of the last read of request.fifo

    def _process_buffer(self, buffer: bytearray) -> int:
        # Called right after each read() of request.fifo returned, with the bytes it brought.
        self._read_returned = (time.monotonic_ns(), len(buffer))
        return super()._process_buffer(buffer)

    def _handle_frame(self, frame: memoryview, received_ns: int) -> None:
        try:
            request = protocol.decode_request(frame, self.config.max_count)
        except ProtocolError:
            super()._handle_frame(frame, received_ns)  # the normal error report and ERROR frame
            return
        client = f"pid {request.pid}/{request.channel}"
        key = (request.pid, request.channel)
        if key not in self._known_clients:
            self._known_clients[key] = None
            if len(self._known_clients) > 4096:
                self._known_clients.popitem(last=False)
            self.events.client("client_connected", client=client)
        name = reply_fifo_name(request.pid, request.channel)
        returned_ns, read_bytes = self._read_returned
        self.stepper.step("server", "read",
                          Words("The server's read() on request.fifo (file descriptor {fd}) returned {bytes} bytes: "
                                "a {size}-byte request from client pid {pid}, who wants {count} numbers in "
                                "{lo}..{hi}. The server opened request.fifo at start-up with {read_flags} "
                                "(O_NONBLOCK: open() need not wait for a first client), then made the descriptor "
                                "blocking, so read() waits for the next request; it also holds it open with "
                                "{keep_flags} (file descriptor {keep_fd}), so read() never returns end-of-file when "
                                "no client has it open.",
                                {"fd": self._request_fd, "bytes": read_bytes, "size": protocol.REQUEST_SIZE,
                                 "pid": request.pid, "count": request.count, "lo": request.lo, "hi": request.hi,
                                 "read_flags": open_flags_text(REQUEST_READ_FLAGS),
                                 "keep_flags": open_flags_text(REQUEST_KEEPALIVE_FLAGS),
                                 "keep_fd": self._keepalive_fd}),
                          time_ns=returned_ns, receives=("request", 0), path=self.directory.request_path,
                          bytes=read_bytes, fd=self._request_fd, client_pid=request.pid, channel=request.channel,
                          request_id=request.request_id, count=request.count)

        def open_reply() -> Channel:
            fd = self.directory.open_reply(request.pid, request.channel)
            returned_ns = time.monotonic_ns()
            names = open_flag_names(REPLY_WRITE_FLAGS)
            self.stepper.step("server", "openat",
                              Words("The server opened the client's reply FIFO {name} with openat(), relative to "
                                    "its directory's descriptor, and the flags {flags}; it got file descriptor {fd}. "
                                    "Why: {why}.", {"name": name, "flags": "|".join(names), "fd": fd,
                                                    "why": flag_reasons(names, REPLY_FIFO_REASONS)}),
                              time_ns=returned_ns, path=f"{self.directory.path}/{name}", flags="|".join(names),
                              fd=fd, client_pid=request.pid)
            return FifoWriteChannel(fd, self.cancellation)

        try:
            self._stepped_reply(request, client, received_ns, open_reply, None)
        except ReplyFifoError as error:
            self._forget(request)
            self.events.client("client_gone", client=client, reason=str(error))
        except (Cancelled, PeerClosed):
            self.events.client("client_gone", client=client, reason="closed its reply FIFO")
        except TimedOut:
            self.events.client("client_error", client=client, error="not reading its reply; dropped")
        except Exception as error:  # noqa: BLE001 - one request's failure must not stop the server
            self.events.client("client_error", client=client, error=f"internal error: {error!r}")


class SteppedSocketServer(_SteppedMixin, SocketServer):
    """The TCP or Unix server, one request at a time, pausing after each system call."""

    def __init__(self, config: ServerConfig, events: EventWriter, stepper: Stepper) -> None:
        super().__init__(config, events)
        self.stepper = stepper
        self._one_at_a_time = threading.Lock()

    def _admit(self, conn: socket.socket, peer: object) -> None:
        returned_ns = time.monotonic_ns()  # accept4() has just returned
        detail: dict = {"fd": conn.fileno(), "flags": "SOCK_CLOEXEC"}
        if self.config.transport == "tcp" and isinstance(peer, tuple):
            detail.update(peer_host=peer[0], peer_port=peer[1], port=conn.getsockname()[1])
            whom = Words("from {host} port {port}", {"host": peer[0], "port": peer[1]})
        else:
            detail["path"] = self.address
            whom = Words("on its socket file {path}", {"path": self.address})
        with self._one_at_a_time:
            self.stepper.step("server", "accept4",
                              Words("The server accepted a new connection {whom} with accept4() on its listening "
                                    "socket; it got file descriptor {fd}, for this client only. Why SOCK_CLOEXEC: "
                                    "{why}.", {"whom": whom, "fd": conn.fileno(), "why": Words(WHY["SOCK_CLOEXEC"])}),
                              time_ns=returned_ns, receives=("connection", 0), **detail)
        super()._admit(conn, peer)

    def _serve_one(self, request: Request, channel: Channel, client: str, received_ns: int,
                   write_timeout: float) -> None:
        returned_ns = time.monotonic_ns()  # the last recvfrom() of the request has just returned
        with self._one_at_a_time:
            self.stepper.step("server", "recvfrom",
                              Words("The server read a {size}-byte request with {call} on file descriptor {fd}: "
                                    "{client} wants {count} numbers in {lo}..{hi}.",
                                    {"size": protocol.REQUEST_SIZE, "call": call_words("recvfrom"),
                                     "fd": channel.read_fd, "client": client, "count": request.count,
                                     "lo": request.lo, "hi": request.hi}), time_ns=returned_ns, receives=("request", 0),
                              bytes=protocol.REQUEST_SIZE, fd=channel.read_fd, flags="0", client=client,
                              client_pid=request.pid, request_id=request.request_id, count=request.count)
            self._stepped_reply(request, client, received_ns, None, channel)


def make_stepped_server(config: ServerConfig, events: EventWriter, stepper: Stepper) -> Server:
    """The stepped server class for `config.transport` ("fifo", "tcp" or "unix")."""
    if config.transport == "fifo":
        return SteppedFifoServer(config, events, stepper)
    if config.transport in ("tcp", "unix"):
        return SteppedSocketServer(config, events, stepper)
    raise TransportError(f"--step is not available for {config.transport}")
