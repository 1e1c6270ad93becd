"""`ipclab request T --trace`: every step is a system call the process really made, as strace saw it.

strace is the witness: the command runs under `strace -f`, and each step must match a call of
the same thread in the trace — the same system call, descriptor, byte count, path and open()
flags — in the same order for each process. The steps as printed must also be in causal order.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from backend.processes.server_child import serve_command

STRACE = shutil.which("strace")
CALLS = ("openat", "mknodat", "read", "readv", "write", "writev", "socket", "connect", "accept4", "recvfrom",
         "sendto", "sendmsg", "close", "unlink", "unlinkat")
RESULT_IS_THE_FD = {"openat", "socket", "accept4"}  # other calls take the descriptor as first argument
RECORD_KEYS = {"actor", "pid", "syscall", "flags", "path", "fd", "bytes", "time_ns", "sentence"}
CAUSAL_PAIRS = {  # (the step that waits, the other side's step it waits for)
    "fifo": [(("server", "read"), ("client", "write")), (("client", "readv"), ("server", "writev"))],
    "tcp": [(("server", "accept4"), ("client", "connect")), (("server", "recvfrom"), ("client", "sendto")),
            (("client", "recvfrom"), ("server", "sendmsg"))],
}
CAUSAL_PAIRS["unix"] = CAUSAL_PAIRS["tcp"]


@dataclass
class Call:
    position: int  # where the call returned, in the trace's order
    thread: int
    name: str
    text: str  # arguments and result as strace printed them
    result: int | None


_LINE = re.compile(r"^(\d+) +(.*)$")
_START = re.compile(r"^(\w+)\((.*)$")
_RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
_RESULT = re.compile(r"\) += (-?\d+)")


def read_trace(path: str) -> list[Call]:
    """The completed calls of an `strace -f -yy` trace (unfinished/resumed halves joined)."""
    calls: list[Call] = []
    started: dict[int, tuple[str, str]] = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = _LINE.match(line.rstrip("\n"))
            if not match:
                continue
            thread, rest = int(match.group(1)), match.group(2)
            resumed = _RESUMED.match(rest)
            if resumed:
                name, text = resumed.group(1), started.pop(thread, ("", ""))[1] + resumed.group(2)
            else:
                start = _START.match(rest)
                if not start:
                    continue  # signals, exits
                name, text = start.group(1), start.group(2)
                if text.endswith("<unfinished ...>"):
                    started[thread] = (name, text[:-len("<unfinished ...>")])
                    continue
            result = _RESULT.search(text)
            calls.append(Call(len(calls), thread, name, text, int(result.group(1)) if result else None))
    return calls


def _fd_of(call: Call) -> int | None:
    if call.name in RESULT_IS_THE_FD:
        return call.result
    first = re.match(r"(\d+)", call.text)
    return int(first.group(1)) if first else None


def _open_flags(call: Call) -> set[str]:
    """The flags argument of an openat(), as a set of C constants."""
    match = re.search(r'", ((?:O_[A-Z]+\|?)+)', call.text)
    assert match, call.text
    return set(match.group(1).split("|"))


def _matches(step: dict, call: Call) -> bool:
    if call.thread != step["tid"] or call.name != step["syscall"] or call.result is None or call.result < 0:
        return False
    if step["fd"] is not None and _fd_of(call) != step["fd"]:
        return False
    if step["bytes"] is not None and call.result != step["bytes"]:
        return False
    return step["path"] is None or f'"{step["path"]}' in call.text or f"{step['path']}>" in call.text


def run_traced(transport: str, tmp_path) -> tuple[list[dict], list[Call]]:
    trace_file = tmp_path / f"{transport}.strace"
    command = [STRACE, "-f", "-yy", "-o", str(trace_file), "-e", "trace=" + ",".join(CALLS),
               *serve_command(["request", transport, "--trace", "--count", "3"])]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    steps = [json.loads(line) for line in completed.stdout.splitlines()]
    return steps, read_trace(str(trace_file))


@pytest.mark.skipif(STRACE is None, reason="strace is not installed here (apt-get install strace); CI installs it")
@pytest.mark.parametrize("transport", ["fifo", "tcp", "unix"])
def test_every_step_is_a_system_call_strace_saw(transport, tmp_path):
    steps, calls = run_traced(transport, tmp_path)
    assert {step["actor"] for step in steps} == {"client", "server"}
    assert all(RECORD_KEYS <= set(step) for step in steps)
    last_position: dict[int, int] = {}  # per process: the trace position of its last matched step
    for step in steps_by_process(steps):
        if step["syscall"] == "generate":
            continue  # numpy's work, not a system call
        after = last_position.get(step["pid"], -1)
        found = next((call for call in calls if call.position > after and _matches(step, call)), None)
        assert found is not None, (
            f"no {step['syscall']} by thread {step['tid']} after the previous step in the trace, with fd "
            f"{step['fd']}, {step['bytes']} bytes, path {step['path']}: {step['sentence']}")
        last_position[step["pid"]] = found.position
        if step["syscall"] == "openat":
            traced = _open_flags(found)
            named = set(step["flags"].split("|"))
            assert traced == named, f"strace shows {traced}, the step names {named}"
            for flag in traced & {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_NONBLOCK", "O_NOFOLLOW"}:
                assert flag in step["sentence"], (flag, step["sentence"])
        if step["flags"] and step["syscall"] != "openat":
            for flag in step["flags"].split("|"):
                assert flag == "0" or flag in found.text, (flag, found.text)
    check_every_open_is_told(steps, calls)
    check_causal(transport, steps)


def check_every_open_is_told(steps: list[dict], calls: list[Call]) -> None:
    """Every open() strace saw of a path a step names — even one made before the exchange, like
    the server's own opens of request.fifo — has its access mode and O_NONBLOCK told by the steps
    of that process that name the path."""
    for pid, path in {(step["pid"], step["path"]) for step in steps if step["path"]}:
        threads = {pid} | {step["tid"] for step in steps if step["pid"] == pid}
        told = " ".join(f"{step['sentence']} {step['flags'] or ''}" for step in steps
                        if step["pid"] == pid and step["path"] == path)
        for call in calls:
            if call.name == "openat" and call.thread in threads and (call.result or -1) >= 0 and path in call.text:
                for flag in _open_flags(call) & {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_NONBLOCK"}:
                    assert flag in told, f"{flag} of {call.text} is not told by the steps naming {path}"


def steps_by_process(steps: list[dict]) -> list[dict]:
    """The steps of each process in its own order (the trace is matched per process)."""
    return sorted(steps, key=lambda step: (step["pid"], step["number"]))


def check_causal(transport: str, steps: list[dict]) -> None:
    shown = [(step["actor"], step["syscall"]) for step in steps]
    for waiting, waited_for in CAUSAL_PAIRS[transport]:
        assert waiting in shown and waited_for in shown, shown
        assert shown.index(waiting) > shown.index(waited_for), f"{waiting} shown before {waited_for}: {shown}"
    for actor in ("client", "server"):
        numbers = [step["number"] for step in steps if step["actor"] == actor]
        assert numbers == sorted(numbers)
    times = [step["time_ns"] for step in steps]
    assert all(isinstance(time_ns, int) and time_ns > 0 for time_ns in times)


@pytest.mark.parametrize("transport", ["fifo", "unix"])
def test_trace_with_an_address_shows_the_client_only(transport, start_server):
    server = start_server(transport)
    completed = subprocess.run(serve_command(["request", transport, server.address, "--trace", "--count", "2"]),
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    steps = [json.loads(line) for line in completed.stdout.splitlines()]
    assert steps and {step["actor"] for step in steps} == {"client"}
    assert [step["number"] for step in steps] == list(range(1, len(steps) + 1))
    reads = [step for step in steps if step["syscall"] in ("readv", "recvfrom")]
    assert sum(step["bytes"] for step in reads) == 2 * 4 + 16 + 40
    assert all(step["pid"] == steps[0]["pid"] and step["sentence"].endswith((".", "complete.")) for step in steps)


def test_trace_of_nothing_fails_clearly(tmp_path):
    completed = subprocess.run(serve_command(["request", "fifo", str(tmp_path / "none"), "--trace"]),
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 1 and completed.stdout == ""
    assert "no server" in completed.stderr


def test_open_flags_are_named_from_the_flags_value():
    import os

    from backend.classroom.call_words import explain_flags, open_flag_names
    from backend.classroom.traced_exchange import REPLY_FIFO_FLAGS, REPLY_FIFO_REASONS

    assert open_flag_names(os.O_RDONLY) == ["O_RDONLY"]
    assert open_flag_names(os.O_WRONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC) == [
        "O_WRONLY", "O_NONBLOCK", "O_NOFOLLOW", "O_CLOEXEC"]
    assert open_flag_names(REPLY_FIFO_FLAGS) == ["O_RDWR", "O_NONBLOCK", "O_CLOEXEC"]
    assert open_flag_names(os.O_RDWR | os.O_SYNC)[-1].startswith("0x"), "an unknown bit is shown, not hidden"
    words = explain_flags(open_flag_names(REPLY_FIFO_FLAGS), REPLY_FIFO_REASONS)
    assert words.startswith("O_RDWR: reading and writing") and "O_NONBLOCK: " in words and "O_CLOEXEC: " in words


def test_the_reply_fifo_step_says_how_it_was_really_opened(start_server):
    server = start_server("fifo")
    completed = subprocess.run(serve_command(["request", "fifo", server.address, "--trace", "--count", "1"]),
                               capture_output=True, text=True, timeout=60)
    steps = [json.loads(line) for line in completed.stdout.splitlines()]
    reply_open = next(step for step in steps if step["syscall"] == "openat" and "reply-" in step["path"])
    assert reply_open["flags"] == "O_RDWR|O_NONBLOCK|O_CLOEXEC"
    assert "for reading with" not in reply_open["sentence"] and "O_RDWR|O_NONBLOCK|O_CLOEXEC" in reply_open["sentence"]
    assert f"file descriptor {reply_open['fd']}" in reply_open["sentence"]


@pytest.mark.parametrize("transport", ["fifo", "tcp"])
def test_a_large_reply_takes_several_calls_each_told_in_causal_order(transport):
    from backend.classroom.step_order import causal_violations
    from backend.classroom.stepping import step_from_record

    count = 300_000  # two CHUNK frames, more than a pipe or socket buffer holds
    completed = subprocess.run(serve_command(["request", transport, "--trace", "--count", str(count)]),
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    steps = [step_from_record(json.loads(line)) for line in completed.stdout.splitlines()]
    reply = 4 * count + 2 * 16 + 40
    writes = [step for step in steps if step.actor == "server" and step.syscall in ("writev", "sendmsg")]
    reads = [step for step in steps if step.actor == "client" and step.syscall in ("readv", "recvfrom")]
    assert len(writes) > 1 and len(reads) > 1
    assert sum(step.detail["bytes"] for step in writes) == reply == sum(step.detail["bytes"] for step in reads)
    assert [step.sends[1] for step in writes][-1] == reply
    assert causal_violations(steps) == []
    assert "the END frame" in writes[-1].sentence and reads[-1].sentence.endswith("the reply is complete.")
