"""`ipclab gui --demo`: start the servers, run a short workload on each transport, show a single
FIFO exchange, and (with `--screenshot FILE`) save the populated window and quit."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from backend.measuring.runner import WorkloadSpec
from qtapp.measuring.server_qprocess import ServerState
from qtapp.window.main_window import TRANSPORTS, MainWindow

DEMO_SPEC = WorkloadSpec(transport="fifo", requests=None, count=100, lo=1, hi=10, concurrency=2, duration=1.0)
DEMO_TIMEOUT_MS = 60_000
SETTLE_MS = 600  # let the logs flush and the plots redraw before the screenshot


class DemoScript(QObject):
    """Drives the window through the demo; emits `done(bool ok)` at the end."""

    done = Signal(bool)

    def __init__(self, window: MainWindow, screenshot: str | None = None, spec: WorkloadSpec = DEMO_SPEC) -> None:
        super().__init__(window)
        self.window = window
        self.screenshot = screenshot
        self.spec = spec
        self.ok = False
        self._step = "servers"
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(lambda: self._finish(False))

    def start(self) -> None:
        self._watchdog.start(DEMO_TIMEOUT_MS)
        for server in self.window.servers.values():
            server.state_changed.connect(self._on_server_state)
            server.start()
        self._on_server_state()

    def _on_server_state(self, *_arguments: object) -> None:
        if self._step != "servers":
            return
        states = [self.window.servers[transport].state for transport in TRANSPORTS]
        if all(state == ServerState.LISTENING for state in states):
            self._step = "compare"
            self.window.idle.connect(self._on_idle)
            self.window.start_compare(self.spec)
        elif any(state in (ServerState.FAILED, ServerState.CRASHED) for state in states):
            self._finish(False)

    def _on_idle(self) -> None:
        if self._step == "compare":
            self._step = "single"
            self.window.tabs.setCurrentIndex(0)
            self.window.single_request("fifo")
        elif self._step == "single":
            self._step = "settle"
            QTimer.singleShot(SETTLE_MS, self._capture)

    def _capture(self) -> None:
        window = self.window
        window.show_everything_now()
        if self.screenshot:
            self.ok = window.grab().save(self.screenshot, "PNG")
        else:
            self.ok = True
        self._finish(self.ok)

    def _finish(self, ok: bool) -> None:
        if self._step == "finished":
            return
        self._step = "finished"
        self._watchdog.stop()
        self.done.emit(ok)
