"""Python's cyclic garbage collector runs in the GUI thread only.

Left alone, the collector runs in whichever thread happens to allocate when a threshold is crossed:
the kernel sampler's QThread, a client's worker. If the garbage holds a widget or another QObject
of the GUI thread, Qt destroys it from the wrong thread, and the process crashes (seen in CI: a
segmentation fault while "Garbage-collecting" in the sampler's thread). The cure PyQt/PySide
applications use (calibre's GarbageCollector, for one): switch automatic collection off and let a
GUI-thread timer collect instead. Reference
counting still frees everything that is not in a cycle at once, in any thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

CHECK_INTERVAL_MS = 500


class GuiThreadGarbageCollector(QObject):
    """Disables automatic collection and collects from a timer of the thread it lives in."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.collections = 0
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect the young generation on every tick (cheap), an older one when its count (the
        collections of the younger one since its last) passes its threshold, as gc itself would.
        The allocation count alone is not enough: it falls again as objects are freed, so the
        garbage a busy worker made would wait for the next burst."""
        gc.collect(0)
        self.collections += 1
        counts = gc.get_count()
        for generation in (1, 2):
            if counts[generation] <= self.thresholds[generation]:
                break
            gc.collect(generation)

    def stop(self) -> None:
        """Give collection back to Python (automatic, any thread)."""
        self._timer.stop()
        gc.enable()


def collect_garbage_in_gui_thread(application: QCoreApplication) -> GuiThreadGarbageCollector:
    """Install the collector on `application` once (later calls return the same one)."""
    existing = application.findChild(GuiThreadGarbageCollector)
    if existing is not None:
        return existing
    return GuiThreadGarbageCollector(application)
