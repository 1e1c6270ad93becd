"""The kernel's view against real processes: blocked FIFO opens, full pipes, a server whose client
never reads, a TCP server at rest, a FIFO server's descriptors. No mocks: every state is produced
by a real child process and read back from /proc."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from backend.kernel_view.sampler import KernelSampler, KernelSnapshot, ThreadView
from backend.processes.server_child import ServerProcess
from backend.protocol.frames import Request, encode_request

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux-only")
WRITE_CALLS = {"write", "writev", "sendto", "sendmsg", "pwrite64"}
WAIT_CALLS = {"accept", "accept4", "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait"}


def wait_for_thread(pid: int, condition, timeout: float = 10.0) -> tuple[KernelSnapshot, ThreadView]:
    """Sample `pid` until one of its threads satisfies `condition(thread)` or, for a condition of two
    parameters, `condition(thread, process)` (fails after `timeout`). Buffer fills are measured a
    few times a second, so a condition on them may need a few samples."""
    sampler = KernelSampler([pid])
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    two = condition.__code__.co_argcount == 2
    try:
        while True:
            snapshot = sampler.sample()
            process = snapshot.process(pid)
            for thread in process.threads if process else []:
                if condition(thread, process) if two else condition(thread):
                    return snapshot, thread
            if time.monotonic() > deadline:
                states = [thread.summary for thread in process.threads] if process else []
                pytest.fail(f"no thread of {pid} matched within {timeout} s: {states}")
            pause.wait(0.02)  # poll the condition; the kernel state is what we wait for
    finally:
        sampler.close()


def fill_of(process, fd: int, side: str) -> dict:
    return next((d.fills.get(side, {}) for d in process.descriptors if d.fd == fd), {})


@pytest.fixture
def children():
    started: list[subprocess.Popen] = []
    yield started
    for child in started:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)


def python_child(children, code: str, *arguments: str, **options) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", code, *arguments], **options)
    children.append(child)
    return child


def test_a_reader_opening_a_fifo_with_no_writer_waits_for_its_partner(tmp_path, children):
    path = tmp_path / "request.fifo"
    os.mkfifo(path)
    child = python_child(children, "import sys; open(sys.argv[1], 'rb').read()", str(path))
    _, thread = wait_for_thread(child.pid, lambda thread: thread.call == "openat")
    assert thread.blocked and thread.state == "S"
    assert thread.subject == "request.fifo"
    assert {"name": "path", "value": str(path), "meaning": ""} in thread.arguments
    assert any(argument["name"] == "flags" and argument["meaning"].startswith("O_RDONLY") for argument in thread.arguments)
    assert thread.wait_channel == "wait_for_partner"
    assert thread.wait_sentence == "a FIFO's open waits until the other end is opened"
    assert thread.summary == ("blocked in openat() on request.fifo — a FIFO's open waits until the other end is opened")
    # Open the writer: both proceed (the reader reads end-of-file and exits).
    writer = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    os.close(writer)
    assert child.wait(timeout=10) == 0


def test_a_writer_into_a_full_pipe_is_blocked_in_write_with_the_pipe_full(children):
    read_end, write_end = os.pipe()
    try:
        child = python_child(children, "import os\nwhile True: os.write(1, b'x' * 4096)", stdout=write_end)
        os.close(write_end)
        snapshot, thread = wait_for_thread(child.pid, lambda thread, process: thread.call == "write" and thread.blocked
                                           and fill_of(process, 1, "pipe").get("full"))
        assert thread.fd == 1 and thread.wait_kind == "pipe-write"
        assert thread.wait_channel in ("pipe_write", "anon_pipe_write")
        assert thread.summary.startswith("blocked in write() on a pipe")
        stdout = next(d for d in snapshot.process(child.pid).descriptors if d.fd == 1)
        fill = stdout.fills["pipe"]
        assert fill["capacity"] == 65536 and fill["used"] == 65536 and fill["full"] is True
        assert "our own end" in fill["source"]
        assert stdout.access == "O_WRONLY"
    finally:
        os.close(read_end)


def test_a_pipe_held_only_by_others_is_called_full_only_because_its_writer_waits(children):
    """Where no end is ours the fill is not visible; the writer waiting in pipe_write is what shows."""
    reader = python_child(children, "import sys; sys.stdin.readline()", stdin=subprocess.PIPE)
    writer = python_child(children, "import os\nwhile True: os.write(1, b'x' * 4096)", stdout=reader.stdin)
    reader.stdin.close()  # now only the two children hold the pipe
    snapshot, _ = wait_for_thread(writer.pid, lambda thread, process: thread.wait_kind == "pipe-write"
                                  and fill_of(process, 1, "pipe").get("full"))
    fill = next(d for d in snapshot.process(writer.pid).descriptors if d.fd == 1).fills["pipe"]
    assert fill["used"] is None and fill["full"] is True and fill["source"].startswith("inferred")
    reader_view = KernelSampler([reader.pid]).sample().process(reader.pid)
    reader_fill = next(d for d in reader_view.descriptors if d.fd == 0).fills["pipe"]
    assert reader_fill["used"] is None and reader_fill["full"] is None


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_a_server_whose_client_never_reads_is_blocked_in_write_with_its_buffer_full(transport, server_engine):
    """On either server engine the Kernel tab sees the thread in a write call, its buffer full
    (the native server also waits for room inside send(), not in poll())."""
    with ServerProcess(transport, extra_arguments=["--write-timeout", "60", "--events", "none",
                                                   "--engine", server_engine]) as server:
        if transport == "tcp":
            host, port = server.address.rsplit(":", 1)
            client = socket.create_connection((host, int(port)))
        else:
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(server.address)
        with client:
            client.sendall(encode_request(Request(pid=0, channel=0, request_id=1, count=50_000_000)))  # 400 MB; we never read it
            snapshot, thread = wait_for_thread(
                server.pid, lambda thread, process: thread.call in WRITE_CALLS and thread.wait_kind == "socket-write"
                and fill_of(process, thread.fd, "send").get("full"))
            assert thread.blocked and thread.direction == "write"
            assert thread.summary.startswith(f"blocked in {thread.call}() on ")
            descriptor = next(d for d in snapshot.process(server.pid).descriptors if d.fd == thread.fd)
            assert descriptor.kind == transport
            fill = descriptor.fills["send"]
            assert fill["full"] is True and fill["used"] > 0 and fill["capacity"] > 0


def test_a_tcp_server_at_rest_waits_in_accept_or_a_poll_on_its_listening_socket():
    with ServerProcess("tcp") as server:
        port = server.address.rsplit(":", 1)[1]
        snapshot, thread = wait_for_thread(server.pid, lambda thread: thread.call in WAIT_CALLS and thread.blocked)
        assert thread.wait_kind in ("accept", "poll")
        listening = [d for d in snapshot.process(server.pid).descriptors if d.socket_state == "LISTEN"]
        assert [d.name for d in listening] == [f"listening TCP socket 127.0.0.1:{port}"]
        if thread.call in ("poll", "ppoll"):
            assert f"listening TCP socket 127.0.0.1:{port}" in thread.subject


def test_the_descriptors_of_a_running_fifo_server_map_to_its_request_fifo(tmp_path):
    with ServerProcess("fifo", str(tmp_path / "fifo")) as server:
        request_path = os.path.join(server.address, "request.fifo")
        view = KernelSampler([server.pid]).sample().process(server.pid)
        fifos = [d for d in view.descriptors if d.kind == "fifo"]
        assert fifos and {d.target for d in fifos} == {request_path}
        assert {d.inode for d in fifos} == {os.stat(request_path).st_ino}
        assert {d.name for d in fifos} == {"request.fifo"}
        assert any("O_RDONLY" in d.flags or "O_RDWR" in d.flags for d in fifos)


def test_a_vanished_process_is_reported_gone_not_raised(children):
    child = python_child(children, "pass")
    child.wait(timeout=10)
    process = KernelSampler([child.pid]).sample().process(child.pid)
    assert not process.alive and process.threads == [] and "no such process" in process.note


def test_ipclab_kernel_json_reports_the_blocked_open(tmp_path, children):
    path = tmp_path / "request.fifo"
    os.mkfifo(path)
    child = python_child(children, "import sys; open(sys.argv[1], 'rb').read()", str(path))
    wait_for_thread(child.pid, lambda thread: thread.call == "openat")
    result = subprocess.run([sys.executable, "-m", "backend", "kernel", str(child.pid), "--json"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    thread = report["processes"][0]["threads"][0]
    assert (thread["call"], thread["wait_channel"], thread["subject"]) == ("openat", "wait_for_partner", "request.fifo")
    text = subprocess.run([sys.executable, "-m", "backend", "kernel", str(child.pid)],
                          capture_output=True, text=True, timeout=60)
    assert "blocked in openat() on request.fifo — a FIFO's open waits until the other end is opened" in text.stdout


@pytest.mark.parametrize("arguments, code", [(["999999999"], 2), (["abc"], 2), (["4000000"], 1)])
def test_ipclab_kernel_refuses_bad_pids(arguments, code):
    result = subprocess.run([sys.executable, "-m", "backend", "kernel", *arguments], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == code
    assert "Traceback" not in result.stderr and result.stderr.strip()
