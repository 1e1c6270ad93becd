"""Sampling the kernel's view off the GUI thread: a worker in its own QThread reads /proc on a
timer (backend.kernel_view.KernelSampler) and hands each snapshot to the GUI by a signal. The GUI
thread never reads /proc for it; it only says which pids to watch and keeps the last seconds of
snapshots for the timeline."""

from __future__ import annotations

import collections
from typing import Callable

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from backend.kernel_view.sampler import KernelSampler, KernelSnapshot

SAMPLE_INTERVAL_MS = 100  # 10 snapshots a second: smooth enough for a class, ~1 % of a CPU
PIDS_INTERVAL_MS = 300  # how often the GUI asks which processes exist now
HISTORY_SECONDS = 30.0


class _SamplingWorker(QObject):
    snapshot_ready = Signal(object)

    def __init__(self, interval_ms: int) -> None:
        super().__init__()
        self._interval_ms = interval_ms
        self._sampler = KernelSampler()
        self._timer: QTimer | None = None

    @Slot()
    def begin(self) -> None:
        self._timer = QTimer(self)
        self._timer.setInterval(self._interval_ms)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._tick()

    @Slot(object)
    def set_pids(self, pids: list[int]) -> None:
        self._sampler.set_pids(pids)
        self._tick()

    @Slot()
    def finish(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._sampler.close()

    def _tick(self) -> None:
        try:
            snapshot = self._sampler.sample()
        except Exception:  # noqa: BLE001 - a /proc surprise must never end the sampling
            return
        self.snapshot_ready.emit(snapshot)


class KernelMonitor(QObject):
    """Owns the sampling thread. `pids()` (called in the GUI thread) says what to watch; every
    snapshot arrives as `snapshot_changed(KernelSnapshot)`; `history` holds the last seconds."""

    snapshot_changed = Signal(object)
    _pids_changed = Signal(object)
    _begin = Signal()
    _finish = Signal()

    def __init__(self, pids: Callable[[], list[int]], interval_ms: int = SAMPLE_INTERVAL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pids = pids
        self._interval_ms = interval_ms
        self.snapshot: KernelSnapshot | None = None
        self.history: collections.deque[KernelSnapshot] = collections.deque()
        self.extra_pids: dict[str, list[int]] = {}  # lessons add their own processes here
        self._watched: list[int] = []
        self._thread: QThread | None = None
        self._worker: _SamplingWorker | None = None
        self._pid_timer = QTimer(self)
        self._pid_timer.setInterval(PIDS_INTERVAL_MS)
        self._pid_timer.timeout.connect(self.refresh_pids)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def watched_pids(self) -> list[int]:
        pids = [pid for pid in self._pids() if pid > 0]
        for extra in self.extra_pids.values():
            pids += [pid for pid in extra if pid > 0 and pid not in pids]
        return pids

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = QThread(self)
        self._thread.setObjectName("ipclab-kernel-view")
        self._worker = _SamplingWorker(self._interval_ms)
        self._worker.moveToThread(self._thread)
        self._begin.connect(self._worker.begin)
        # Blocking: stop() returns only once the worker's timer is stopped in its own thread (a
        # queued call could be dropped by quit(), leaving the timer behind).
        self._finish.connect(self._worker.finish, Qt.ConnectionType.BlockingQueuedConnection)
        self._pids_changed.connect(self._worker.set_pids)
        self._worker.snapshot_ready.connect(self._on_snapshot)
        self._thread.start()
        self._watched = []
        self.refresh_pids()
        self._begin.emit()
        self._pid_timer.start()

    def stop(self) -> None:
        """Stop sampling (waits for the worker to finish its current sample: a few ms)."""
        self._pid_timer.stop()
        if self._thread is None:
            return
        if self._worker is not None:  # run `finish` in the worker's thread and wait: its timer stops
            QMetaObject.invokeMethod(self._worker, "finish", Qt.ConnectionType.BlockingQueuedConnection)
        self._thread.quit()
        self._thread.wait(3000)
        if self._worker is not None:
            self._worker.snapshot_ready.disconnect(self._on_snapshot)
            self._worker.deleteLater()
        self._thread = None
        self._worker = None

    def refresh_pids(self) -> None:
        pids = self.watched_pids()
        if pids != self._watched:
            self._watched = pids
            self._pids_changed.emit(list(pids))

    def _on_snapshot(self, snapshot: KernelSnapshot) -> None:
        if snapshot.supported and [process.pid for process in snapshot.processes] != self._watched:
            return  # sampled before the latest change of pids: the next one will be right
        self.snapshot = snapshot
        self.history.append(snapshot)
        while self.history and snapshot.time - self.history[0].time > HISTORY_SECONDS:
            self.history.popleft()
        self.snapshot_changed.emit(snapshot)
