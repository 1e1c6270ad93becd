"""The run coordinator without a window: real servers, real client threads, the sequence of its
signals (a single exchange, a workload, a Compare over the three transports, Stop, a server that
cannot start)."""

from __future__ import annotations

import socket

import pytest

from backend.measuring.runner import WorkloadSpec
from backend.protocol.frames import decode_end, decode_request

TIMEOUT_MS = 30000


@pytest.fixture
def coordinator(qtbot, runtime_leftovers):
    from qtapp.window.run_coordinator import RunCoordinator

    coordinator = RunCoordinator()
    yield coordinator
    coordinator.shutdown()
    assert not coordinator.runs
    assert runtime_leftovers() == [], "FIFO directories or sockets left behind"


def _received(signal) -> list[tuple]:
    """The arguments of every emission of `signal` from now on."""
    received: list[tuple] = []
    signal.connect(lambda *arguments: received.append(arguments))
    return received


def _starting(transport: str):
    return lambda run, single: run.transport == transport


def _finished(transport: str, errors_expected: bool = False):
    return lambda name, run_id, errors: name == transport and bool(errors) == errors_expected


def test_single_exchange(qtbot, coordinator):
    wires = _received(coordinator.wire_captured)
    with qtbot.waitSignals([coordinator.run_starting, coordinator.wire_captured, coordinator.run_finished,
                            coordinator.idle], order="strict", timeout=TIMEOUT_MS,
                           check_params_cbs=[lambda run, single: single and run.transport == "fifo", None,
                                             _finished("fifo"), None]):
        coordinator.single_exchange("fifo", 5, 9)
    [(wire,)] = wires
    series = coordinator.model.series["fifo"]
    numbers = series.statistics.numbers
    assert series.completed == 1 and series.failed == 0 and 1 <= numbers <= 10
    assert len(series.last_values) == numbers and all(5 <= value <= 9 for value in series.last_values)
    request = decode_request(wire.request)
    assert (request.lo, request.hi, request.pid) == (5, 9, coordinator.client_pid)
    end = decode_end(wire.reply_end)
    assert end.server_pid == coordinator.servers["fifo"].pid and end.total_count == numbers
    assert not coordinator.running and coordinator.focus_run is None


def test_workload_reports_its_final_progress_then_finishes(qtbot, coordinator):
    spec = WorkloadSpec(transport="unix", requests=300, count=20, lo=1, hi=6, concurrency=3)
    reported = _received(coordinator.progress)
    with qtbot.waitSignals([coordinator.run_starting, coordinator.progress, coordinator.run_finished,
                            coordinator.idle], order="strict", timeout=TIMEOUT_MS,
                           check_params_cbs=[lambda run, single: not single and run.transport == "unix",
                                             lambda progress: progress.final, _finished("unix"), None]):
        coordinator.start_workload(spec)
    [(progress,)] = reported  # without a window nobody asked for progress while it ran
    assert (progress.transport, progress.outcome, progress.done, progress.fraction) == ("unix", "done", 300, 1.0)
    report = coordinator.model.series["unix"].report()
    assert report["exchanges"] == 300 and report["errors"] == 0 and report["numbers"] == 6000
    assert report["lost_numbers"] == 0 and report["out_of_range"] == 0
    assert report["server_pids"] == [coordinator.servers["unix"].pid]
    assert list(coordinator.model.series) == ["unix"]


def test_compare_runs_fifo_then_tcp_then_unix(qtbot, coordinator):
    spec = WorkloadSpec(transport="fifo", requests=120, count=10, concurrency=2)
    expected, checks = [], []
    for transport in ("fifo", "tcp", "unix"):
        expected += [coordinator.run_starting, coordinator.run_finished]
        checks += [_starting(transport), _finished(transport)]
    with qtbot.waitSignals(expected + [coordinator.idle], order="strict", timeout=3 * TIMEOUT_MS,
                           check_params_cbs=checks + [None]):
        coordinator.start_compare(spec)
    assert list(coordinator.model.series) == ["fifo", "tcp", "unix"]
    for transport, series in coordinator.model.series.items():
        assert series.spec.transport == transport and series.completed == 120 and series.failed == 0
        assert series.statistics.numbers == 1200 and not series.stopped_early
    pids = {server.pid for server in coordinator.servers.values()}
    assert len(pids) == 3 and 0 not in pids
    assert not coordinator.running


def test_stop_mid_compare_stops_the_run_and_cancels_the_rest(qtbot, coordinator):
    spec = WorkloadSpec(transport="fifo", requests=None, duration=60.0, count=10, concurrency=2)
    with qtbot.waitSignal(coordinator.run_starting, timeout=TIMEOUT_MS):
        coordinator.start_compare(spec)
    assert coordinator.running
    qtbot.waitUntil(lambda: coordinator.drain() >= 0 and coordinator.model.series["fifo"].completed > 50,
                    timeout=TIMEOUT_MS)
    progress = coordinator.update_progress()
    assert progress is not None and not progress.final and progress.outcome == "running" and progress.done > 50
    with qtbot.waitSignal(coordinator.run_refused, timeout=1000) as refused:
        coordinator.single_exchange("fifo", 1, 10)  # a run on FIFO is still going
    assert refused.args == ["fifo"]
    reported = _received(coordinator.progress)
    with qtbot.waitSignals([coordinator.progress, coordinator.run_stopped, coordinator.run_finished,
                            coordinator.idle], order="strict", timeout=TIMEOUT_MS,
                           check_params_cbs=[lambda progress: progress.final,
                                             lambda name, seconds: name == "fifo" and seconds >= 0,
                                             _finished("fifo"), None]):
        coordinator.stop_runs()
    [(final,)] = reported
    assert final.outcome == "stopped" and final.fraction < 1.0
    series = coordinator.model.series["fifo"]
    assert series.stopped_early and series.failed == 0 and series.completed >= progress.done
    assert list(coordinator.model.series) == ["fifo"]  # TCP and Unix socket never ran
    assert not coordinator.running and not coordinator.runs


def test_compare_goes_on_when_a_server_cannot_start(qtbot, coordinator):
    blocker_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker_socket.bind(("127.0.0.1", 0))
    blocker_socket.listen(1)
    try:
        coordinator.servers["tcp"].configured_address = f"127.0.0.1:{blocker_socket.getsockname()[1]}"
        spec = WorkloadSpec(transport="fifo", requests=40, count=5)
        with qtbot.waitSignals([coordinator.run_starting, coordinator.run_finished, coordinator.server_unavailable,
                                coordinator.run_starting, coordinator.run_finished, coordinator.idle],
                               order="strict", timeout=2 * TIMEOUT_MS,
                               check_params_cbs=[_starting("fifo"), _finished("fifo"),
                                                 lambda name, reason: name == "tcp" and "in use" in reason,
                                                 _starting("unix"), _finished("unix"), None]):
            coordinator.start_compare(spec)
    finally:
        blocker_socket.close()
    assert list(coordinator.model.series) == ["fifo", "unix"]
    assert all(series.completed == 40 for series in coordinator.model.series.values())
