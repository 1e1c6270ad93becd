"""Fault demonstrations against real servers: each is explained, and the server keeps serving."""

from __future__ import annotations

import threading

import pytest

from backend.classroom.fault_demos import crowd, garbage_client, silent_client
from backend.processes.server_child import ServerProcess
from backend.protocol.frames import ErrorCode
from backend.transports.cancel import Cancellation
from tests.good_client import assert_good_client_served


@pytest.fixture(scope="module", params=["fifo", "tcp", "unix"])
def server(request, runtime_directory):
    process = ServerProcess(request.param, extra_arguments=["--events", "summary", "--idle-timeout", "0.4"])
    process.start()
    yield process
    assert process.running(), "the server died"
    assert process.stop() == 0


def test_silent_client_does_not_hold_up_others(server):
    outcome: dict = {}
    thread = threading.Thread(target=lambda: outcome.update(silent_client(server.transport, server.address, 0.3)),
                              name="test-silent", daemon=True)
    thread.start()
    assert_good_client_served(server)  # while the silent client holds its connection or FIFO
    thread.join(10)
    assert outcome["transport"] == server.transport and outcome["explanation"]
    assert outcome["server_closed"] is False and outcome["cancelled"] is False and outcome["held_seconds"] >= 0.29
    assert_good_client_served(server)


def test_silent_client_past_the_idle_timeout(server):
    cancellation = Cancellation()
    try:
        result = silent_client(server.transport, server.address, 3.0 if server.transport != "fifo" else 0.05,
                               cancellation=cancellation)
    finally:
        cancellation.close()
    if server.transport == "fifo":
        assert result["server_closed"] is False  # a FIFO has no connection to drop
    else:
        assert result["server_closed"] is True and result["held_seconds"] < 2.5
        assert "idle timeout" in result["explanation"]
    assert_good_client_served(server)


def test_silent_client_can_be_cancelled(server):
    cancellation = Cancellation()
    timer = threading.Timer(0.1, cancellation.cancel)
    timer.start()
    try:
        result = silent_client(server.transport, server.address, 0.3 if server.transport == "fifo" else 0.35,
                               cancellation=cancellation)
    finally:
        timer.join()
        cancellation.close()
    assert result["cancelled"] is True and result["held_seconds"] < 0.3


def test_garbage_client(server):
    result = garbage_client(server.transport, server.address, size=256, seed=7)
    assert result["sent_bytes"] == 256 and result["explanation"]
    if server.transport == "fifo":
        assert result["answer"] == "none"  # nobody to answer: the FIFO does not say who wrote
    else:
        assert result["answer"] == "error" and result["error_code"] == ErrorCode.BAD_MAGIC
        assert result["error_name"] == "BAD_MAGIC" and result["closed"] is True
        assert "BAD_MAGIC" in result["explanation"]
    assert_good_client_served(server)
    assert garbage_client(server.transport, server.address, size=256, seed=7)["answer"] == result["answer"]


def test_crowd(server):
    result = crowd(server.transport, server.address, clients=64, requests_per_client=5)
    assert (result["clients"], result["requests"], result["exchanges"]) == (64, 320, 320)
    assert result["errors"] == 0 and result["lost_numbers"] == 0 and result["stopped"] is False
    assert 0 < result["p50_us"] <= result["p99_us"]
    assert "64 clients" in result["explanation"]
    assert_good_client_served(server)
