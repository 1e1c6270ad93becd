"""Cycles are collected in the GUI thread, never in a worker that happens to allocate (a QObject
of the GUI thread destroyed from a worker crashed a CI run)."""

from __future__ import annotations

import gc
import threading

from qtapp.window.garbage_collection import collect_garbage_in_gui_thread


class _Cycle:
    collected_in: list[str] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.collected_in.append(threading.current_thread().name)


def test_a_cycle_made_garbage_while_a_worker_allocates_is_collected_in_the_gui_thread(qtbot, qapp):
    collector = collect_garbage_in_gui_thread(qapp)
    assert collect_garbage_in_gui_thread(qapp) is collector
    assert not gc.isenabled()
    gc.collect()
    _Cycle.collected_in.clear()
    _Cycle()  # now garbage, reachable only from itself

    def allocate() -> None:
        kept = []
        for index in range(200_000):  # far past every generation's threshold
            kept.append([index])
            if len(kept) > 1000:
                kept.clear()

    worker = threading.Thread(target=allocate, name="allocating-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(_Cycle.collected_in), timeout=5000)
    assert _Cycle.collected_in == [threading.main_thread().name]
