"""`ipclab gui --demo-feature NAME [--screenshot FILE]`: set the window up to show one classroom
feature (servers, runs, the right tab), then save it as PNG and quit. Used for docs/*.png.

Each feature is a list of actions; after each, the script waits (polling on a timer, never
blocking) until its condition holds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from backend.measuring.runner import WorkloadSpec
from qtapp.measuring.server_qprocess import ServerState

POLL_MS = 50
TIMEOUT_MS = 90_000
SETTLE_MS = 700

Action = tuple[Callable[[], object], Callable[[], bool]]


def _true() -> bool:
    return True


class FeatureDemo(QObject):
    """Drives `window` through the actions of one feature; `done(ok, message)` at the end."""

    done = Signal(bool, str)

    def __init__(self, window, feature: str, screenshot: str | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.feature = feature
        self.screenshot = screenshot
        self._actions: list[Action] = []
        self._condition: Callable[[], bool] = _true
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._next)
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(lambda: self._finish(False, f"{feature}: timed out"))
        self._temporary = ""
        self._finished = False

    # -- helpers ------------------------------------------------------------------------------
    def _servers_listening(self, *transports: str) -> Action:
        window = self.window

        def start() -> None:
            for transport in transports:
                window.servers[transport].start()
        return start, lambda: all(window.servers[t].state == ServerState.LISTENING for t in transports)

    def _idle(self) -> Callable[[], bool]:
        return lambda: not self.window.running

    def _wait_ms(self, milliseconds: int) -> Action:
        state = {"until": 0}

        def start() -> None:
            state["timer"] = QTimer.singleShot(milliseconds, lambda: state.update(until=1))
        return start, lambda: bool(state["until"])

    def _tab(self, widget) -> Action:
        return (lambda: self.window.tabs.setCurrentWidget(widget)), _true

    def _long_workloads(self) -> Action:
        def start() -> None:
            for transport, clients in (("fifo", 3), ("tcp", 2), ("unix", 2)):
                self.window.start_workload(WorkloadSpec(transport=transport, requests=None, count=10, duration=20,
                                                        concurrency=clients))
        return start, lambda: len(self.window.architecture_snapshot().channels_of("tcp", "tcp-connection")) >= 2

    def _pulses(self) -> Action:
        def start() -> None:
            view = self.window.architecture_view
            view.pulse_seconds = 6.0
            for transport in ("fifo", "tcp", "unix"):
                view.pulse(transport, "request")
        return start, _true

    def _replies(self) -> Action:
        def start() -> None:
            for transport in ("fifo", "tcp", "unix"):
                self.window.architecture_view.pulse(transport, "reply")
        return start, _true

    # -- the features -------------------------------------------------------------------------
    def actions(self) -> list[Action]:
        window = self.window
        feature = self.feature
        compare = WorkloadSpec(transport="fifo", requests=3000, count=100, lo=1, hi=10, concurrency=2)
        if feature in ("architecture", "french"):
            return [self._tab(window.architecture_view), self._servers_listening("fifo", "tcp", "unix"),
                    self._long_workloads(), self._wait_ms(1500), (window.refresh_architecture, _true),
                    self._pulses(), self._wait_ms(2500), self._replies(), self._wait_ms(400)]
        if feature == "presentation":
            return [self._servers_listening("fifo", "tcp", "unix"), ((lambda: window.start_compare(compare)), _true),
                    (_true, self._idle()), ((lambda: window.single_request("fifo")), _true), (_true, self._idle()),
                    self._tab(window.overview), self._wait_ms(SETTLE_MS)]
        if feature == "presentation-architecture":
            return [self._tab(window.architecture_view), self._servers_listening("fifo", "tcp", "unix"),
                    self._long_workloads(), self._wait_ms(1500), (window.refresh_architecture, _true),
                    self._pulses(), self._wait_ms(2500), self._replies(), self._wait_ms(400)]
        if feature == "wire":
            return [self._tab(window.wire_view), self._servers_listening("fifo"),
                    ((lambda: window.single_request("fifo")), lambda: window.last_wire is not None),
                    self._wait_ms(SETTLE_MS)]
        if feature == "fault":
            page = window.faults_page
            state = {"done": False}
            page.demo_finished.connect(lambda *_: state.update(done=True))
            return [self._tab(page), self._servers_listening("fifo"),
                    ((lambda: (page.set_transport("fifo"), page.run_demo("kill"))), lambda: state["done"]),
                    (window.refresh_architecture, _true), self._wait_ms(SETTLE_MS)]
        if feature == "crowd":
            page = window.faults_page
            state = {"done": False}
            page.demo_finished.connect(lambda *_: state.update(done=True))
            return [self._tab(page), self._servers_listening("fifo"),
                    ((lambda: (page.set_transport("fifo"), page.run_demo("crowd"))), lambda: state["done"]),
                    self._wait_ms(SETTLE_MS)]
        if feature == "step":
            page = window.step_page
            target = 7
            return [self._tab(page), ((lambda: (page.set_mode("step"), page.transport_combo.setCurrentIndex(
                        page.transport_combo.findData("tcp")), page.start_exchange())),
                                      lambda: len(page.shown) >= 1 and page.step_button.isEnabled()),
                    *[(page.step, lambda n=n: len(page.shown) >= n and page.step_button.isEnabled())
                      for n in range(2, target + 1)],
                    self._wait_ms(SETTLE_MS)]
        if feature == "naive":
            page = window.mixup_page
            state = {"done": False}
            page.finished.connect(lambda: state.update(done=True))
            return [self._tab(page), ((page.run_demo), lambda: state["done"]), self._wait_ms(SETTLE_MS)]
        if feature == "own-server":
            return [self._tab(window.architecture_view), (self._use_c_server, _true),
                    self._servers_listening("fifo", "tcp"),
                    ((lambda: window.start_workload(WorkloadSpec(transport="tcp", requests=None, count=10, duration=20,
                                                                 concurrency=2))),
                     lambda: len(window.architecture_snapshot().channels_of("tcp", "tcp-connection")) >= 2),
                    self._wait_ms(1500), (window.refresh_architecture, _true), self._pulses(), self._wait_ms(600)]
        if feature == "tour":
            return [self._servers_listening("fifo"), (window.start_tour, _true),
                    ((lambda: window.tour.go(2)), lambda: window.last_wire is not None), self._wait_ms(1200)]
        if feature in KERNEL_FEATURES:  # a kernel-view lesson, captured at its telling moment
            lesson, milliseconds, on_drawing = KERNEL_FEATURES[feature]
            actions = [((lambda: window.kernel_page.run_lesson(lesson)), _true), self._wait_ms(milliseconds)]
            return actions + ([self._tab(window.architecture_view), self._wait_ms(SETTLE_MS)] if on_drawing else [])
        raise ValueError(f"unknown feature {feature!r}; expected one of {', '.join(FEATURES)}")

    def _use_c_server(self) -> None:
        """Build examples/c in a temporary directory and put the C server in the TCP panel."""
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self._temporary = tempfile.mkdtemp(prefix="ipclab-c-")
        target = os.path.join(self._temporary, "c")
        shutil.copytree(os.path.join(root, "examples", "c"), target,
                        ignore=shutil.ignore_patterns("ipclab_client", "ipclab_server"))
        subprocess.run(["make", "-s", "-C", target], check=True, capture_output=True, timeout=120)
        self.window.server_panels["tcp"].set_command(f"{target}/ipclab_server tcp 127.0.0.1:0")

    # -- running ------------------------------------------------------------------------------
    def start(self) -> None:
        if self.feature in ("wire", "fault", "crowd", "step", "naive") or self.feature in KERNEL_FEATURES:
            self.window.side_panel_action.setChecked(False)  # the tab gets the whole width
        try:
            self._actions = self.actions()
        except Exception as error:  # noqa: BLE001 - reported, never a crash
            self._finish(False, str(error))
            return
        self._watchdog.start(TIMEOUT_MS)
        self._poll.start()

    def _next(self) -> None:
        if self._finished or not self._condition():
            return
        if not self._actions:
            self._capture()
            return
        action, self._condition = self._actions.pop(0)
        try:
            action()
        except Exception as error:  # noqa: BLE001
            self._finish(False, f"{self.feature}: {error}")

    def _capture(self) -> None:
        window = self.window
        window.show_everything_now()
        if not self.screenshot:
            self._finish(True, f"{self.feature}: ready")
            return
        picture = window.grab()  # the tour is a panel of the window: grabbed with it
        ok = picture.save(self.screenshot, "PNG")
        self._finish(ok, f"screenshot of {self.feature} saved to {self.screenshot}" if ok else "could not save")

    def _finish(self, ok: bool, message: str) -> None:
        if self._finished:
            return
        self._finished = True
        self._poll.stop()
        self._watchdog.stop()
        if self._temporary:
            self.window.server_panels["tcp"].set_command("")
        self.done.emit(ok, message)

    def cleanup(self) -> None:
        if self._temporary:
            shutil.rmtree(self._temporary, ignore_errors=True)


# feature -> (kernel lesson, when to take the picture in ms, on the Architecture tab rather than Kernel)
KERNEL_FEATURES = {"kernel-fifo-open": ("fifo-open", 6500, False),
                   "kernel-back-pressure": ("back-pressure", 12500, False),
                   "kernel-back-pressure-architecture": ("back-pressure", 5000, True),
                   "kernel-idle-tcp-server": ("tcp-accept", 7800, False),
                   "kernel-naive-mixup": ("naive-mixup", 12000, False)}
FEATURES = ("architecture", "presentation", "presentation-architecture", "wire", "fault", "crowd", "step", "naive",
            "own-server", "tour", "french", *KERNEL_FEATURES)
