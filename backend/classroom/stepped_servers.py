"""`ipclab serve TRANSPORT --step`: servers that pause after each system call, for a class.

At each step the server prints an event line
`{"event":"step","actor":"server","syscall":...,"sentence":...,"detail":{...},"time":...}` and
waits as its `Stepper` says. Commands arrive on stdin, one per line: `next` (advance one step),
`delay SECONDS` (slow motion; `delay 0` runs freely), `step` (wait for `next` again), `run`
(same as `delay 0`). End of stdin means run freely, so a vanished controller never leaves the
server blocked. Requests are served one at a time. These classes replace the normal ones only
with `--step`: the normal servers' hot path is untouched.

FIFO steps per request: read (the request from request.fifo), generate, open (the client's
reply FIFO), write (the reply). Socket steps: accept (new connection), recv (the request),
generate, send (the reply).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from typing import Callable, TextIO

from backend.classroom.stepping import Step, Stepper
from backend.protocol import frames as protocol
from backend.protocol.engine import RandomSource
from backend.protocol.frames import ProtocolError, Request
from backend.servers.events import EventWriter
from backend.servers.fifo_server import FifoServer
from backend.servers.server import Server, ServerConfig
from backend.servers.socket_server import SocketServer
from backend.transports.base import (
    Cancelled,
    Channel,
    PeerClosed,
    TimedOut,
    TransportError,
)
from backend.transports.fifo import FifoWriteChannel, ReplyFifoError, reply_fifo_name

_perf_ns = time.perf_counter_ns


def step_event_writer(events: EventWriter) -> Callable[[Step], None]:
    """An `on_step` callback printing each step as a `step` event line (always printed)."""

    def emit(step: Step) -> None:
        events.emit("step", actor=step.actor, syscall=step.syscall, sentence=step.sentence, detail=step.detail)

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
    """The stepped reply: generate, (FIFO: open), write, with a step after each."""

    stepper: Stepper
    events: EventWriter
    config: ServerConfig
    cancellation: object

    def stop(self) -> None:
        self.stepper.release()
        super().stop()  # type: ignore[misc]

    def _stepped_reply(self, request: Request, client: str, received_ns: int,
                       open_channel: Callable[[], Channel] | None, channel: Channel | None,
                       write_call: str) -> None:
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
                     f"The server generated {count} random numbers in {lo}..{hi} with numpy"
                     + (f" (the first {first_size} now, the rest while sending)" if first_size < count else "")
                     + (f": {', '.join(map(str, shown))}{' ...' if count > 10 else ''}." if shown else "."),
                     count=count, lo=lo, hi=hi, first_values=shown, generation_us=round(generation_ns / 1000, 1))
        if open_channel is not None:
            channel = open_channel()
        assert channel is not None
        try:
            sent = 0
            timeout = self.config.write_timeout
            if values is not None:
                header = protocol.encode_chunk_header(request_id, first_size)
                if first_size == count:
                    end = protocol.EndFrame(request_id, count, self._pid, generation_ns, _perf_ns() - received_ns)
                    sent += channel.write_all([header, values, protocol.encode_end(end)], timeout)
                    values = None
                else:
                    sent += channel.write_all([header, values], timeout)
                    remaining = count - first_size
                    while remaining:
                        size = min(remaining, protocol.MAX_CHUNK_VALUES)
                        before = _perf_ns()
                        chunk = source.wire_values(size, lo, hi)
                        generation_ns += _perf_ns() - before
                        sent += channel.write_all([protocol.encode_chunk_header(request_id, size), chunk], timeout)
                        remaining -= size
            if sent == 0 or values is not None:
                end = protocol.EndFrame(request_id, count, self._pid, generation_ns, _perf_ns() - received_ns)
                sent += channel.write_all([protocol.encode_end(end)], timeout)
            stepper.step("server", write_call,
                         f"The server wrote its {sent}-byte reply ({_frames_text(count)}) "
                         f"with {write_call}(); the client can read it now.",
                         bytes=sent, request_id=request_id, count=count, fd=channel.write_fd)
        finally:
            if open_channel is not None:
                channel.close()
        events.count_reply(count, sent)
        events.exchange(
            "reply_sent", client=client, pid=request.pid, request_id=request_id, count=count, bytes=sent,
            generation_us=round(generation_ns / 1000, 1), service_us=round((_perf_ns() - received_ns) / 1000, 1),
        )

    @property
    def _pid(self) -> int:
        return os.getpid()


class SteppedFifoServer(_SteppedMixin, FifoServer):
    """The FIFO server, one request at a time, pausing after each system call."""

    def __init__(self, config: ServerConfig, events: EventWriter, stepper: Stepper) -> None:
        super().__init__(config, events)
        self.stepper = stepper

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
        self.stepper.step("server", "read",
                          f"The server read a 48-byte request from request.fifo with read(): client pid "
                          f"{request.pid} wants {request.count} numbers in {request.lo}..{request.hi}.",
                          path=self.directory.request_path, bytes=protocol.REQUEST_SIZE, fd=self._request_fd,
                          client_pid=request.pid, channel=request.channel, request_id=request.request_id,
                          count=request.count)

        def open_reply() -> Channel:
            fd = self.directory.open_reply(request.pid, request.channel)
            self.stepper.step("server", "open",
                              f"The server opened the client's reply FIFO {name} for writing with open() "
                              f"(file descriptor {fd}).", path=f"{self.directory.path}/{name}", fd=fd,
                              client_pid=request.pid)
            return FifoWriteChannel(fd, self.cancellation)

        try:
            self._stepped_reply(request, client, received_ns, open_reply, None, "write")
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
        detail: dict = {"fd": conn.fileno()}
        if self.config.transport == "tcp" and isinstance(peer, tuple):
            detail.update(peer_host=peer[0], peer_port=peer[1], port=conn.getsockname()[1])
            whom = f"from {peer[0]} port {peer[1]}"
        else:
            detail["path"] = self.address
            whom = f"on {self.address}"
        with self._one_at_a_time:
            self.stepper.step("server", "accept",
                              f"The server accepted a new connection {whom} with accept(); it got file "
                              f"descriptor {conn.fileno()} for this client.", **detail)
        super()._admit(conn, peer)

    def _serve_one(self, request: Request, channel: Channel, client: str, received_ns: int,
                   write_timeout: float) -> None:
        with self._one_at_a_time:
            self.stepper.step("server", "recv",
                              f"The server read a 48-byte request with recv(): {client} wants {request.count} "
                              f"numbers in {request.lo}..{request.hi}.", bytes=protocol.REQUEST_SIZE,
                              fd=channel.read_fd, client=client, client_pid=request.pid,
                              request_id=request.request_id, count=request.count)
            self._stepped_reply(request, client, received_ns, None, channel, "send")


def _frames_text(count: int) -> str:
    chunks = -(-count // protocol.MAX_CHUNK_VALUES)
    if chunks == 0:
        return "an END frame"
    return f"{'a CHUNK frame' if chunks == 1 else f'{chunks} CHUNK frames'} and an END frame"


def make_stepped_server(config: ServerConfig, events: EventWriter, stepper: Stepper) -> Server:
    """The stepped server class for `config.transport` ("fifo", "tcp" or "unix")."""
    if config.transport == "fifo":
        return SteppedFifoServer(config, events, stepper)
    if config.transport in ("tcp", "unix"):
        return SteppedSocketServer(config, events, stepper)
    raise TransportError(f"--step is not available for {config.transport}")
