"""Runs and comparisons without a window: the servers, the client runs, the model, in sequence.

`RunCoordinator` owns the three `QtServerProcess`es, starts a `RunController` (client threads) per
run once its server listens, drains the workers' batches into the `RunModel`, runs a comparison as
FIFO, then TCP, then Unix socket, tracks the progress of the run in focus, exports the results and
shuts everything down. It builds no widget and formats no text: it tells what happened through its
signals, and the main window (or a test) decides what to show.
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Callable

from PySide6.QtCore import QObject, Signal

from backend.measuring.runner import WorkloadSpec
from backend.measuring.stats import RunningRate
from qtapp.measuring.client_worker import RunController
from qtapp.measuring.model import BatchInbox, RunModel, TransportSeries
from qtapp.measuring.results_export import write_csv, write_json
from qtapp.measuring.server_qprocess import QtServerProcess, ServerState

TRANSPORTS = ("fifo", "tcp", "unix")
SHUTDOWN_THREADS_S = 0.5


@dataclasses.dataclass(frozen=True)
class RunProgress:
    """How far the run in focus is; `outcome` is running, done, stopped or failed."""

    transport: str
    done: int  # finished exchanges (successful or failed): how far the run is
    exchanges: int  # successful exchanges: the same count as the run's statistics and the header's
    failed: int
    fraction: float  # 0..1 of the requests or the duration, whichever is further
    has_target: bool  # False for a run that lasts until Stop
    rate: float  # exchanges per second over the last second
    remaining_s: float | None
    elapsed_s: float
    final: bool
    outcome: str


class RunCoordinator(QObject):
    """Starts, sequences, stops and finishes runs on the three transports.

    Signals:
        run_starting(RunController run, bool single): a run's client threads start now.
        run_refused(str transport): a run on that transport is still going; nothing was started.
        server_unavailable(str transport, str reason): the server stopped or failed to start; what
            waited for it was dropped.
        batch_added(TransportSeries series, ExchangeBatch batch): a worker's batch is in the model.
        progress(RunProgress): of the workload in focus; once with final=True when it ends.
        wire_captured(object): the backend's WireCapture of a single exchange.
        running_changed(): a server changed state or a run started or ended.
        run_finished(str transport, int run_id, list errors)
        run_stopped(str transport, float seconds): a run stopped by the user; seconds from Stop until
            its last client thread had returned.
        idle(): no run is active and no comparison is queued any more.
    """

    run_starting = Signal(object, bool)
    run_refused = Signal(str)
    server_unavailable = Signal(str, str)
    batch_added = Signal(object, object)
    progress = Signal(object)
    wire_captured = Signal(object)
    running_changed = Signal()
    run_finished = Signal(str, int, list)
    run_stopped = Signal(str, float)
    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = RunModel()
        self.inbox = BatchInbox()
        self.client_pid = os.getpid()
        self.servers = {transport: QtServerProcess(transport, self) for transport in TRANSPORTS}
        self.runs: dict[str, RunController] = {}
        self.focus_run: RunController | None = None
        self._run_series: dict[int, TransportSeries] = {}
        self._waiting: dict[str, list[Callable[[], None]]] = {transport: [] for transport in TRANSPORTS}
        self._compare_queue: list[str] = []
        self._compare_spec: WorkloadSpec | None = None
        self._progress_rate = RunningRate(window_s=1.0)
        self.engine = "auto"  # the clients' engine for every run (qtapp/window/engine_choice.py sets it)
        for transport, server in self.servers.items():
            server.state_changed.connect(lambda state, name=transport: self._on_server_state(name, state))
            server.ready.connect(lambda _event, name=transport: self._on_server_ready(name))

    # -- servers ------------------------------------------------------------------------------
    def ensure_server(self, transport: str, action: Callable[[], None]) -> None:
        """Run `action` once the transport's server listens, starting it if needed."""
        server = self.servers[transport]
        if server.state == ServerState.LISTENING:
            action()
            return
        self._waiting[transport].append(action)
        if not server.running:
            server.start()

    def _on_server_ready(self, transport: str) -> None:
        self.running_changed.emit()
        actions, self._waiting[transport] = self._waiting[transport], []
        for action in actions:
            action()

    def _on_server_state(self, transport: str, state: str) -> None:
        self.running_changed.emit()
        if state in (ServerState.FAILED, ServerState.CRASHED, ServerState.STOPPED) and self._waiting[transport]:
            self._waiting[transport] = []
            self.server_unavailable.emit(transport, self.servers[transport].message or state)
            self._finish_compare_if_blocked(transport)
        self._check_idle()

    # -- runs ---------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """A run is active or a comparison still has transports to run."""
        return bool(self.runs) or bool(self._compare_queue)

    def single_exchange(self, transport: str, lo: int, hi: int, count: int | None = None) -> None:
        """One request for `count` numbers in lo..hi (None: a random count 1..10, the classic exercise)."""
        spec = WorkloadSpec(transport=transport, requests=1, count=count, lo=lo, hi=hi, concurrency=1)
        self.ensure_server(transport, lambda: self._start_run(spec, single=True))

    def start_workload(self, spec: WorkloadSpec) -> None:
        self._compare_queue = []
        self.ensure_server(spec.transport, lambda: self._start_run(spec, single=False))

    def start_compare(self, spec: WorkloadSpec) -> None:
        """Run `spec` on FIFO, then TCP, then Unix socket, one after the other."""
        self._compare_spec = spec
        self._compare_queue = list(TRANSPORTS)
        self._next_compare()

    def compare_position(self) -> tuple[int, int] | None:
        """(which transport, of how many) while a comparison runs, else None."""
        if self._compare_spec is None:
            return None
        return len(TRANSPORTS) - len(self._compare_queue), len(TRANSPORTS)

    def _next_compare(self) -> None:
        if not self._compare_queue or self._compare_spec is None:
            self._check_idle()
            return
        transport = self._compare_queue.pop(0)
        spec = dataclasses.replace(self._compare_spec, transport=transport)
        self.ensure_server(transport, lambda: self._start_run(spec, single=False))

    def _finish_compare_if_blocked(self, transport: str) -> None:
        if self._compare_spec is not None and not self.runs:
            self._next_compare()

    def _start_run(self, spec: WorkloadSpec, single: bool) -> None:
        spec = dataclasses.replace(spec, engine=self.engine)
        transport = spec.transport
        server = self.servers[transport]
        if transport in self.runs:
            self.run_refused.emit(transport)
            return
        if single:
            series = self.model.series_for(transport, spec)
        else:
            series = self.model.reset(transport, spec)
        series.address = server.address
        series.server_engine = server.ready_event.get("engine")  # None for a server that names none
        run = RunController(spec, server.address, self.inbox, series.start_ns, self, capture_wire=single)
        run.finished.connect(self._on_run_finished)
        self.runs[transport] = run
        self._run_series[run.run_id] = series
        if not single:
            self.focus_run = run
            self._progress_rate.reset()
        self.run_starting.emit(run, single)
        run.start()
        self.running_changed.emit()

    def stop_runs(self) -> None:
        """Stop every running client now (blocked I/O is interrupted) and cancel a comparison."""
        self._compare_queue = []
        self._compare_spec = None
        for run in self.runs.values():
            run.stop()
            series = self._run_series.get(run.run_id)
            if series is not None:
                series.stopped_early = True

    def _on_run_finished(self, run_id: int, errors: list) -> None:
        self.drain()
        run = next((candidate for candidate in self.runs.values() if candidate.run_id == run_id), None)
        if run is None:
            return
        transport = run.transport
        del self.runs[transport]
        series = self._run_series.pop(run_id, None)
        if series is not None and run.stopped:
            series.stopped_early = True
        if run is self.focus_run:
            self.update_progress(final=True)
        if run.wire is not None:
            self.wire_captured.emit(run.wire)
        run.deleteLater()
        self.running_changed.emit()
        if run.stop_latency_s is not None:
            self.run_stopped.emit(transport, run.stop_latency_s)
        self.run_finished.emit(transport, run_id, list(errors))
        if self._compare_spec is not None and not run.stopped and self._compare_queue:
            self._next_compare()
        else:
            if not self._compare_queue:
                self._compare_spec = None
            self._check_idle()

    def _check_idle(self) -> None:
        if not self.runs and not self._compare_queue and not any(self._waiting.values()):
            self.idle.emit()

    # -- batches and progress -----------------------------------------------------------------
    def drain(self) -> int:
        """Move the workers' batches into the model; return how many."""
        items = self.inbox.drain()
        for item in items:
            series = self._run_series.get(item.run_id)
            if series is None:
                continue
            series.add(item.batch)
            self.batch_added.emit(series, item.batch)
        if items:
            self.model.version += 1
        return len(items)

    def update_progress(self, final: bool = False) -> RunProgress | None:
        """Measure the run in focus and emit `progress`; `final` once when it has ended."""
        run = self.focus_run
        if run is None:
            return None
        series = self._run_series.get(run.run_id) or self.model.series.get(run.transport)
        if series is None:
            return None
        done = series.finished_exchanges
        now = time.monotonic()
        self._progress_rate.add(now, done)
        rate = self._progress_rate.rate()
        elapsed = now - run.started_at
        spec = run.spec
        fractions = []
        left = []
        if spec.requests:
            fractions.append(done / spec.requests)
            if rate > 0:
                left.append((spec.requests - done) / rate)
        if spec.duration:
            fractions.append(elapsed / spec.duration)
            left.append(spec.duration - elapsed)
        fraction = min(1.0, max(fractions)) if fractions else 0.0
        outcome = "running"
        if final:
            fraction = 1.0 if not run.stopped else fraction
            outcome = "stopped" if run.stopped else "failed" if run.errors else "done"
            self.focus_run = None
        progress = RunProgress(run.transport, done, series.completed, series.failed, fraction, bool(fractions), rate,
                               min(left) if left else None, elapsed, final, outcome)
        self.progress.emit(progress)
        return progress

    # -- export, shutdown ---------------------------------------------------------------------
    def export_json(self, path: str) -> None:
        write_json(path, self.model)

    def export_csv(self, path: str) -> int:
        return write_csv(path, self.model)

    def cancel_waiting(self) -> None:
        """Forget a queued comparison and what waits for a server to listen."""
        self._compare_queue = []
        for waiting in self._waiting.values():
            waiting.clear()

    def shutdown(self) -> None:
        """Stop the workers, terminate the servers (terminate, wait, kill) and remove their files."""
        self.cancel_waiting()
        for run in list(self.runs.values()):
            run.stop()
        for server in self.servers.values():
            server.stop()  # SIGTERM to every server at once; they exit in parallel
        for run in list(self.runs.values()):
            run.shutdown(SHUTDOWN_THREADS_S)
        self.runs.clear()
        for server in self.servers.values():
            server.shutdown()
