"""The workload runner: incremental batches, reproducible runs, prompt stop, failure reports."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from backend.measuring.runner import LONGEST_HAND_OVER_S, ExchangeLoop, WorkloadRunner, WorkloadSpec, hand_over_interval
from backend.transports.base import TransportError


@pytest.mark.parametrize("transport", ["fifo", "tcp", "unix"])
def test_stop_interrupts_a_huge_run_promptly(start_server, transport, engine):
    """Stop from another thread while clients are in the middle of 10^8-value replies.

    The 100 ms target is measured in benchmarks; here the bound is loose so a loaded CI machine
    cannot make it flaky, yet a runner that waits for a reply to finish (seconds) fails it.
    """
    server = start_server(transport, "--events", "none")
    spec = WorkloadSpec(transport, server.address, requests=None, duration=600, count=100_000_000, concurrency=2,
                        engine=engine)
    first_batch = threading.Event()
    runner = WorkloadRunner(spec, server.address, on_batch=lambda batch: first_batch.set())
    runner.start()
    try:
        assert server.running()
        # Let the clients get into their replies, then stop.
        assert not runner.wait(0.3)
        started = time.monotonic()
        runner.stop()
        assert runner.wait(5.0)
        assert time.monotonic() - started < 1.0
    finally:
        runner.close()
    assert runner.stopped


def test_batches_arrive_incrementally_and_add_up(start_server, engine):
    server = start_server("unix", "--events", "none")
    spec = WorkloadSpec("unix", server.address, requests=None, duration=0.6, count=100, engine=engine)
    arrivals: list[tuple[float, int]] = []
    loop = ExchangeLoop(spec, server.address)
    loop.run(lambda batch: arrivals.append((time.monotonic(), len(batch.records))))
    assert len(arrivals) >= 5  # about one batch per 50 ms, not one at the end
    assert sum(count for _, count in arrivals) == loop.completed > 0
    assert loop.spec.resolved_engine() == engine


def test_batches_per_second_stay_bounded_as_threads_grow():
    assert hand_over_interval(1) == hand_over_interval(2)
    rates = [concurrency / hand_over_interval(concurrency) for concurrency in (2, 4, 8, 16)]
    assert max(rates) <= min(rates) * 1.001  # the same number of batches a second in total
    assert hand_over_interval(1000) == LONGEST_HAND_OVER_S


def test_a_run_of_many_clients_hands_over_at_the_bounded_pace(start_server, engine):
    """16 client threads for a second: each hands over every hand_over_interval(16) = 0.4 s, not
    every 50 ms (320 batches a second to aggregate would cost the run a good part of a CPU)."""
    server = start_server("unix", "--events", "none")
    spec = WorkloadSpec("unix", server.address, requests=None, duration=1.0, count=10, concurrency=16, engine=engine)
    batches: list[int] = []
    runner = WorkloadRunner(spec, server.address, on_batch=lambda batch: batches.append(len(batch.records)))
    runner.start()
    assert runner.wait(30)
    runner.close()
    assert sum(batches) == runner.statistics.exchanges > 0
    assert 16 <= len(batches) <= 16 * (1.0 / hand_over_interval(16) + 2)  # a last hand-over each, some slack


def test_seeded_runs_are_reproducible(start_server, engine):
    server = start_server("tcp", "--events", "none")
    histograms = []
    for _ in range(2):
        spec = WorkloadSpec("tcp", server.address, requests=200, count=None, seed=99, concurrency=4, lo=1, hi=1000,
                            engine=engine)
        runner = WorkloadRunner(spec, server.address)
        try:
            histograms.append(runner.run().values.counts.copy())
        finally:
            runner.close()
    assert np.array_equal(histograms[0], histograms[1])
    assert histograms[0].sum() > 0


def test_server_killed_mid_run_is_reported(start_server, engine):
    server = start_server("fifo", "--events", "none")
    spec = WorkloadSpec("fifo", server.address, requests=None, duration=60, count=1000, concurrency=2,
                        engine=engine)
    got_batch = threading.Event()
    runner = WorkloadRunner(spec, server.address, on_batch=lambda batch: got_batch.set())
    runner.start()
    try:
        assert got_batch.wait(10)
        os.kill(server.pid, signal.SIGKILL)
        assert runner.wait(10)
    finally:
        runner.close()
    assert runner.fatal_errors and all("server" in message for message in runner.fatal_errors)
    assert runner.statistics.errors >= 1 and runner.statistics.exchanges > 0


def test_spec_checks():
    with pytest.raises(ValueError):
        WorkloadSpec("tcp", requests=None, duration=None).check()
    with pytest.raises(ValueError):
        WorkloadSpec("tcp", lo=3, hi=2).check()
    with pytest.raises(ValueError):
        WorkloadSpec("tcp", concurrency=0).check()
    assert [WorkloadSpec("tcp", requests=10, concurrency=3).share(i) for i in range(3)] == [4, 3, 3]


def _sockets_of(pid: int) -> int:
    """How many sockets the process holds open (from /proc)."""
    return sum(os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:") for fd in os.listdir(f"/proc/{pid}/fd"))


def _connect_in_thread(loop: ExchangeLoop) -> tuple[threading.Thread, list]:
    outcome: list = []

    def connect() -> None:
        try:
            outcome.append(loop.connect())
        except Exception as error:  # noqa: BLE001 - the test looks at it
            outcome.append(error)

    thread = threading.Thread(target=connect, name="ipclab-test-connect")
    thread.start()
    return thread, outcome


def test_clients_start_together_and_a_failed_client_does_not_hold_the_others(start_server, tmp_path):
    """A run's clients pass the start gate only when all are connected; one that cannot connect
    breaks the gate and the others go on at once."""
    server = start_server("unix", "--events", "none")
    spec = WorkloadSpec("unix", server.address, requests=10, concurrency=3)
    gate = threading.Barrier(3)
    loops = [ExchangeLoop(spec, server.address, index) for index in range(2)]
    broken = ExchangeLoop(WorkloadSpec("unix", str(tmp_path / "nobody.sock"), requests=10, concurrency=3),
                          str(tmp_path / "nobody.sock"), 2)
    for loop in [*loops, broken]:
        loop.start_gate = gate
    sockets_before = _sockets_of(server.pid)
    waiting = [_connect_in_thread(loop) for loop in loops]
    for thread, outcome in waiting:
        thread.join(0.3)
        assert thread.is_alive() and not outcome  # waiting for the third client
    assert _sockets_of(server.pid) == sockets_before + 2  # ... already connected
    unconnected = broken.connect()  # cannot connect: breaks the gate, fails at its first request
    assert not unconnected.connected
    with pytest.raises(TransportError):
        unconnected.request(5)
    unconnected.close()
    for thread, outcome in waiting:
        thread.join(5.0)
        assert not thread.is_alive()
        client = outcome[0]
        assert client.request(5).count == 5  # connected and usable
        client.close()
    for loop in [*loops, broken]:
        loop.cancellation.close()


def test_stop_releases_clients_waiting_for_the_others(start_server):
    server = start_server("tcp", "--events", "none")
    runner = WorkloadRunner(WorkloadSpec("tcp", server.address, requests=100, concurrency=2), server.address)
    runner._start_gate = gate = threading.Barrier(2)  # as start() sets it, with only one client started
    loop = ExchangeLoop(runner.spec, server.address, 0, runner.cancellation)
    loop.start_gate = gate
    thread, outcome = _connect_in_thread(loop)
    thread.join(0.3)
    assert thread.is_alive()
    runner.stop()
    thread.join(5.0)
    assert not thread.is_alive() and outcome
    outcome[0].close()
    runner.cancellation.close()
