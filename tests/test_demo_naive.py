"""The original exercise's flawed design (one shared reply FIFO) mixes replies up; ours never does."""

from __future__ import annotations

import os
import signal
import stat

import pytest

from backend.classroom.naive import (
    NAIVE_REPLY_FIFO,
    NAIVE_REQUEST_FIFO,
    NaiveFifoClient,
    run_mixup_demo,
)
from backend.clients.client import make_client
from backend.processes.server_child import ServerProcess, private_address
from backend.protocol import frames as protocol
from backend.protocol.frames import Request
from backend.transports.base import ConnectionRefused
from tests.wire import wait_for


def _naive_server(directory: str, events: list | None = None) -> ServerProcess:
    # ServerProcess knows no "naive-fifo" address option: give the directory as an argument.
    process = ServerProcess("naive-fifo", address="", extra_arguments=["--dir", directory],
                            on_event=events.append if events is not None else None)
    process.start()
    return process


@pytest.fixture
def naive(runtime_directory):
    directory = private_address("fifo")
    events: list = []
    process = _naive_server(directory, events)
    yield process, events
    assert process.stop() == 0
    assert not os.path.exists(directory), "the naive server left its directory behind"


def test_ready_line_and_private_directory(naive):
    process, _ = naive
    ready = process.ready_event
    assert ready["transport"] == "naive-fifo" and ready["demonstration_only"] is True
    assert ready["protocol"] == 1 and ready["pid"] == process.pid
    assert stat.S_IMODE(os.stat(process.address).st_mode) == 0o700
    for name in (NAIVE_REQUEST_FIFO, NAIVE_REPLY_FIFO):
        assert stat.S_ISFIFO(os.stat(os.path.join(process.address, name)).st_mode)


def test_naive_design_mixes_replies_up(naive):
    process, events = naive
    rounds = []
    for _ in range(5):  # replies go to whoever reads first: one round could, rarely, be lucky
        report = run_mixup_demo("naive-fifo", process.address, clients=4, requests_per_client=20, timeout=0.3)
        rounds.append(report)
        if report.mixed:
            break
    assert report.mixed > 0, [r.summary() for r in rounds]
    assert report.correct + report.mixed + report.lost == 80
    assert [c["client"] for c in report.per_client] == [1, 2, 3, 4]
    assert sum(c["mixed"] for c in report.per_client) == report.mixed
    assert 1 <= len(report.examples) <= 5
    assert "asked for" in report.examples[0] and "reply" in report.examples[0]
    assert any(event["event"] == "reply_sent" for event in events)
    assert any(event["event"] == "request" for event in events)


def test_textbook_design_never_mixes_replies(start_server):
    server = start_server("fifo", "--events", "summary")
    report = run_mixup_demo("fifo", server.address, clients=4, requests_per_client=20, timeout=2.0)
    assert (report.correct, report.mixed, report.lost) == (80, 0, 0)
    assert report.examples == [] and "80 got their own reply" in report.summary()


def test_naive_server_survives_a_vanished_reader(naive):
    process, events = naive
    fd = os.open(os.path.join(process.address, NAIVE_REQUEST_FIFO), os.O_WRONLY | os.O_NONBLOCK)
    try:  # nobody holds the shared reply FIFO open: the server must drop the reply, not hang
        os.write(fd, protocol.encode_request(Request(4242, 1, 77, 3)))
    finally:
        os.close(fd)
    assert wait_for(lambda: any(e.get("event") == "client_gone" and "nobody is reading" in e.get("reason", "")
                                for e in events), 5)
    client = NaiveFifoClient(process.address)
    try:
        assert client.exchange(Request(os.getpid(), 1, 5, 4), 5.0) == (5, 4)  # alone: its own reply
    finally:
        client.close()


def test_mixup_demo_without_a_server_fails_clearly(runtime_directory):
    with pytest.raises(ConnectionRefused):
        run_mixup_demo("naive-fifo", private_address("fifo"))
    with pytest.raises(ValueError):
        run_mixup_demo("tcp", "127.0.0.1:1")


def test_killed_naive_server_is_cleaned_up_by_the_next(runtime_directory):
    """What a SIGKILLed naive server left is removed by the next one on the same directory (and,
    when its owner is a ServerProcess, by the owner: see test_killed_naive_server_owner_cleans_up)."""
    directory = private_address("fifo")
    first = _naive_server(directory)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait()
    second = _naive_server(directory)
    first.stop()  # the owner's clean-up must leave the live second server alone
    try:
        assert second.ready_event["stale_files_removed"] >= 2
        assert os.path.exists(os.path.join(directory, "naive-request.fifo"))
        with pytest.raises(ValueError):
            make_client("naive-fifo", directory)  # never a client transport
    finally:
        assert second.stop() == 0
    assert not os.path.exists(directory)


def test_command_line_offers_naive_fifo_to_serve_only():
    import subprocess

    from backend.processes.server_child import serve_command

    def ipclab(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(serve_command(list(arguments)), capture_output=True, text=True, timeout=60)

    text = " ".join(ipclab("serve", "--help").stdout.split())
    assert "naive-fifo" in text and "flawed design, for demonstration only" in text
    assert "--step" in text and "next" in text and "delay SECONDS" in text
    assert ipclab("serve", "naive-fifo", "--step").returncode == 2
    assert ipclab("serve", "naive-fifo", "--port", "5000").returncode == 2
    assert ipclab("request", "naive-fifo").returncode == 2


def test_killed_naive_server_owner_cleans_up(runtime_directory):
    directory = private_address("naive-fifo")
    first = _naive_server(directory)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait()
    first.stop()
    assert not os.path.exists(directory)
