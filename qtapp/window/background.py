"""`BackgroundCall`: run one blocking backend function in its own QThread and hand its result (or
its error) back to the GUI thread through signals. For the demos: a traced exchange, the naive-FIFO
mix-up demo, the fault demos. The GUI thread never waits for it, except `shutdown` at exit."""

from __future__ import annotations

import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from qtapp.measuring import client_threads
from qtapp.measuring.client_worker import lower_thread_priority


class _Runner(QObject):
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, function: Callable[[], Any], name: str = "") -> None:
        super().__init__()
        self._function = function
        self._name = name

    @Slot()
    def run(self) -> None:
        lower_thread_priority()
        client_threads.register(self._name)  # the kernel view finds this thread by the call's name
        try:
            result = self._function()
        except Exception as error:  # noqa: BLE001 - reported to the GUI, never a crash
            message = str(error) or error.__class__.__name__
            if not str(error):
                message += "\n" + traceback.format_exc(limit=3)
            self.failed.emit(message)
            return
        finally:
            client_threads.unregister(self._name)
        self.done.emit(result)


class BackgroundCall(QObject):
    """One call of `function()` in a new QThread. Signals: done(object result), failed(str message),
    finished() after either. `cancel` (optional) is called by `shutdown` to unblock the function."""

    done = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, function: Callable[[], Any], name: str, cancel: Callable[[], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._cancel = cancel
        self._thread: QThread | None = QThread(self)
        self._thread.setObjectName(f"ipclab-{name}")
        self._runner = _Runner(function, name)
        self._runner.moveToThread(self._thread)
        self._thread.started.connect(self._runner.run)
        self._runner.done.connect(self._on_done)
        self._runner.failed.connect(self._on_failed)
        self.running = False

    def start(self) -> "BackgroundCall":
        self.running = True
        assert self._thread is not None
        self._thread.start()
        return self

    def _end(self) -> None:
        self.running = False
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(1000)  # the function has returned: the thread ends at once
        self.finished.emit()

    def _on_done(self, result: object) -> None:
        self.done.emit(result)
        self._end()

    def _on_failed(self, message: str) -> None:
        self.failed.emit(message)
        self._end()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Cancel (if possible) and wait for the thread (blocking; for app exit)."""
        if self._cancel is not None:
            try:
                self._cancel()
            except Exception:  # noqa: BLE001
                pass
        if self._thread is None:
            return True
        self._thread.quit()
        ended = self._thread.wait(timeout_ms)
        return ended
