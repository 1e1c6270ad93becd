"""Step mode and slow motion: the Stepper, traced exchanges and `ipclab serve --step`."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time

import pytest

from backend.classroom.stepped_servers import apply_step_command
from backend.classroom.stepping import Step, Stepper, step_from_record
from backend.classroom.traced_exchange import UNLINK_CALL, traced_exchange
from backend.processes.server_child import private_address, serve_command

QUIET = 0.15  # seconds without a further event that count as "nothing else happened"


# -- the Stepper alone ------------------------------------------------------------------------

def _in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target, name="test-stepper", daemon=True)
    thread.start()
    return thread


def test_run_mode_never_waits_and_reports_every_step():
    seen: list[Step] = []
    stepper = Stepper(seen.append)
    for number in range(100):
        stepper.step("client", "write", "wrote", bytes=number)
    assert [s.detail["bytes"] for s in seen] == list(range(100)) and stepper.pending == 0
    first = seen[0]
    assert (first.actor, first.syscall, first.sentence, first.detail) == ("client", "write", "wrote", {"bytes": 0})
    assert [s.number for s in seen] == list(range(1, 101)) and {s.pid for s in seen} == {os.getpid()}
    times = [s.time_ns for s in seen]
    assert times == sorted(times) and times[0] > 0  # CLOCK_MONOTONIC, one clock for every process
    stepper.step("client", "read", "read", time_ns=123, receives=("reply", 0))
    assert (seen[-1].time_ns, seen[-1].receives, seen[-1].sends) == (123, ("reply", 0), None)
    assert step_from_record(seen[-1].to_record()) == seen[-1]
    for bad in ({}, {"actor": "teacher", "syscall": "x", "sentence": "y"},
                {"actor": "client", "syscall": "x", "sentence": "y", "time_ns": -1},
                {"actor": "client", "syscall": "x", "sentence": "y", "sends": ["reply"]}):
        with pytest.raises(ValueError):
            step_from_record(bad)


def test_step_mode_waits_for_each_advance_and_advance_never_banks():
    stepper = Stepper(mode="step")
    stepper.advance()  # nothing pending: must not let the next step through
    done = threading.Event()
    thread = _in_thread(lambda: (stepper.step("server", "read", "read"), done.set()))
    assert not done.wait(QUIET) and stepper.pending == 1
    stepper.advance()
    assert done.wait(5)
    thread.join()
    assert stepper.pending == 0


def test_slow_mode_release_and_mode_changes_wake_waiters():
    stepper = Stepper(mode="slow", delay=0.05)
    start = time.monotonic()
    stepper.step("client", "open", "opened")
    assert 0.04 <= time.monotonic() - start < 2
    stepper.set_mode("step")
    finished = threading.Event()
    thread = _in_thread(lambda: (stepper.step("client", "close", "closed"), finished.set()))
    assert not finished.wait(QUIET)
    stepper.set_mode("slow", 0.01)  # a waiting step follows the new mode
    assert finished.wait(5)
    thread.join()
    stepper.set_mode("step")
    finished.clear()
    thread = _in_thread(lambda: (stepper.step("client", "close", "closed"), finished.set()))
    assert not finished.wait(QUIET)
    stepper.release()
    assert finished.wait(5) and stepper.mode == "run"
    thread.join()
    with pytest.raises(ValueError):
        stepper.set_mode("fast")


def test_step_commands():
    stepper = Stepper(mode="step")
    assert apply_step_command(stepper, "delay 0.5\n") is None and (stepper.mode, stepper.delay) == ("slow", 0.5)
    assert apply_step_command(stepper, "delay 0") is None and stepper.mode == "run"
    assert apply_step_command(stepper, "step") is None and stepper.mode == "step"
    assert apply_step_command(stepper, "next") is None and apply_step_command(stepper, "   ") is None
    for bad in ("jump", "delay", "delay soon", "delay -1", "next 2"):
        assert apply_step_command(stepper, bad)


# -- a real stepped server ----------------------------------------------------------------------

class SteppedServer:
    """`ipclab serve TRANSPORT --step` with a pipe to its stdin and its step events in a queue."""

    def __init__(self, transport: str, events: "queue.Queue[tuple[str, str]]") -> None:
        address = private_address(transport)
        option = {"fifo": "--dir", "unix": "--path", "tcp": "--address"}[transport]
        self.process = subprocess.Popen(
            serve_command(["serve", transport, "--step", "--die-with-parent", "--events", "summary", option, address]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        self.ready = json.loads(self.process.stdout.readline())
        assert self.ready["event"] == "ready" and self.ready["step"] is True
        self.address, self.pid = self.ready["address"], self.ready["pid"]
        self.events = events
        self.others: list[dict] = []
        self._reader = threading.Thread(target=self._read, name="test-step-server", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            event = json.loads(line)
            if event["event"] == "step":
                assert event["actor"] == "server" and event["sentence"] and isinstance(event["detail"], dict)
                assert isinstance(event["time"], float) and isinstance(event["time_ns"], int)
                assert step_from_record(event).pid == self.pid
                self.events.put(("server", event["syscall"]))
            else:
                self.others.append(event)

    def command(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stop(self) -> int:
        if not self.process.stdin.closed:
            self.process.stdin.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._reader.join(5)
            self.process.stdout.close()
        return code


@pytest.fixture
def stepped_server(runtime_directory):
    servers: list[SteppedServer] = []

    def start(transport: str, events: queue.Queue) -> SteppedServer:
        server = SteppedServer(transport, events)
        servers.append(server)
        return server

    yield start
    for server in servers:
        assert server.stop() == 0
        assert any(event["event"] == "stopped" for event in server.others)


def _client_events(events: queue.Queue) -> Stepper:
    return Stepper(lambda step: events.put((step.actor, step.syscall)), mode="step")


def _take(events: queue.Queue, expected: list[tuple[str, str]]) -> None:
    """The expected events arrive (in any order), then nothing else for a moment."""
    got = []
    deadline = time.monotonic() + 10
    while len(got) < len(expected):
        try:
            got.append(events.get(timeout=max(0.01, deadline - time.monotonic())))
        except queue.Empty:
            break
    try:
        got.append(events.get(timeout=QUIET))
    except queue.Empty:
        pass
    assert sorted(got) == sorted(expected), f"expected {expected}, got {got}"


def _run_exchange(transport: str, address: str, stepper: Stepper, outcome: dict) -> threading.Thread:
    def run() -> None:
        try:
            outcome["result"] = traced_exchange(transport, address, 6, -3, 3, stepper, timeout=20)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            outcome["error"] = error

    thread = threading.Thread(target=run, name="test-traced-exchange", daemon=True)
    thread.start()
    return thread


def test_fifo_one_step_at_a_time_on_both_sides(stepped_server):
    events: queue.Queue = queue.Queue()
    server = stepped_server("fifo", events)
    stepper = _client_events(events)
    outcome: dict = {}
    thread = _run_exchange("fifo", server.address, stepper, outcome)
    client, next_step = stepper.advance, lambda: server.command("next")

    _take(events, [("client", "mknodat")])
    client(); _take(events, [("client", "openat")])  # the request FIFO  # noqa: E702
    client(); _take(events, [("client", "openat")])  # its reply FIFO  # noqa: E702
    # The write wakes the server, which reads the request and pauses in its turn.
    client(); _take(events, [("client", "write"), ("server", "read")])  # noqa: E702
    client(); _take(events, [])  # the client now waits in readv(): the server is paused  # noqa: E702
    next_step(); _take(events, [("server", "generate")])  # noqa: E702
    next_step(); _take(events, [("server", "openat")])  # noqa: E702
    # The server's writev wakes the client, whose readv gets the whole reply, and pauses.
    next_step(); _take(events, [("server", "writev"), ("client", "readv")])  # noqa: E702
    client(); _take(events, [("client", "close")])  # its reply FIFO  # noqa: E702
    client(); _take(events, [("client", "close")])  # the request FIFO  # noqa: E702
    client(); _take(events, [("client", UNLINK_CALL)])  # noqa: E702
    assert thread.is_alive()  # the last step waits too
    client()
    thread.join(10)
    next_step()  # let the server finish its write step
    assert "error" not in outcome, outcome.get("error")
    result, wire = outcome["result"]
    assert result.count == 6 and result.server_pid == server.pid
    assert all(-3 <= v <= 3 for v in result.values.astype(int))
    assert len(wire.request) == 48 and len(wire.reply_end) == 40


def test_slow_motion_completes_on_its_own(stepped_server):
    events: queue.Queue = queue.Queue()
    server = stepped_server("tcp", events)
    server.command("delay 0.01")
    seen: list[Step] = []
    stepper = Stepper(seen.append, mode="slow", delay=0.01)
    result, _ = traced_exchange("tcp", server.address, 4, 1, 10, stepper, timeout=10)
    assert result.server_pid == server.pid and result.count == 4
    assert [s.syscall for s in seen] == ["socket", "connect", "sendto", "recvfrom", "close"]
    connect = seen[1].detail
    assert connect["port"] == int(server.address.rsplit(":", 1)[1]) and connect["local_port"] > 0
    server_steps = []
    deadline = time.monotonic() + 10
    while len(server_steps) < 4 and time.monotonic() < deadline:
        try:
            server_steps.append(events.get(timeout=1)[1])
        except queue.Empty:
            pass
    assert server_steps == ["accept4", "recvfrom", "generate", "sendmsg"]


@pytest.mark.parametrize("transport", ["unix", "fifo"])
def test_run_mode_and_end_of_stdin(stepped_server, transport):
    events: queue.Queue = queue.Queue()
    server = stepped_server(transport, events)
    server.process.stdin.close()  # no controller: the server runs freely
    seen: list[Step] = []
    for _ in range(2):
        result, wire = traced_exchange(transport, server.address, 0, 1, 1, Stepper(seen.append))
        assert result.count == 0 and result.server_pid == server.pid and wire.reply_total_bytes == 40
    expected = ["socket", "connect", "sendto", "recvfrom", "close"] if transport == "unix" else \
        ["mknodat", "openat", "openat", "write", "readv", "close", "close", UNLINK_CALL]
    assert [s.syscall for s in seen] == expected * 2
    assert all(s.actor == "client" and s.sentence.endswith(".") for s in seen)
