"""The main window: server panels and client controls on the left, live plots on the right, the
client and server logs side by side below; menus for export, view and help.

The window builds the widgets and wires them to a `RunCoordinator`, which owns the servers, the
runs and the model. The GUI thread never blocks on I/O: servers are QProcesses, clients run in
QThreads and hand their batches over through the model's inbox, which a 50 Hz timer drains before
refreshing the visible plots.
"""

from __future__ import annotations

import os
import time
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from backend.measuring.runner import ExchangeBatch, WorkloadSpec
from qtapp.classroom.architecture import (
    ArchitectureSnapshot,
    ArchitectureView,
    ClientNode,
    build_snapshot,
)
from qtapp.measuring.client_panel import ClientPanel
from qtapp.measuring.client_worker import RunController
from qtapp.measuring.log_view import LogView
from qtapp.measuring.model import TRANSPORT_NAMES, TransportSeries, client_log_entries
from qtapp.measuring.server_panels import ServerPanel
from qtapp.window.engine_choice import install_engine_choice
from qtapp.window.fitting import fit_to_screen, scrolling_container
from qtapp.window.menus import about_text, build_menus
from qtapp.window.plot_pages import PlotPages, RedrawPacer
from qtapp.window.presentation import apply_zoom, arrange_for_presentation
from qtapp.window.resource_files import resource_path
from qtapp.window.run_coordinator import TRANSPORTS, RunCoordinator, RunProgress  # noqa: F401 - TRANSPORTS for demo
from qtapp.window.run_display import (
    build_summary,
    compare_live_line,
    error_line,
    exchange_line,
    server_event_line,
    server_failure_lines,
    server_unavailable_line,
    show_progress,
    update_summary,
    workload_line,
)
from qtapp.window.settings import Settings
from qtapp.window.style_sheet import next_zoom, point_size_for
from qtapp.window.i18n import ensure_translator
from qtapp.window.retranslating import Retranslating
from qtapp.window.wheel_guard import install_wheel_guard
from qtapp.window.window_texts import client_nodes, retranslate_window

REFRESH_INTERVAL_MS = 20  # 50 ticks a second; the overview's plots are updated in two halves,
# alternately, so each plot refreshes 25 times a second and no tick repaints all of them at once
FIGURES_EVERY_TICKS = 6  # the header's figures and the progress bar, together, ~8 times a second
DETAILS_EVERY_TICKS = 12
ARCHITECTURE_EVERY_TICKS = 25  # the architecture view re-reads the system twice a second
PRESENTATION_LINE_SCALE = 2.5


class MainWindow(Retranslating, QMainWindow):
    """IPC Lab's window: the widgets, wired to `self.coordinator` (servers, runs, model).

    Signals:
        run_finished, run_stopped, idle: the coordinator's (see `RunCoordinator`).
        refreshed(): the plots were redrawn (once per timer tick with new data).
    """

    run_finished = Signal(str, int, list)
    run_stopped = Signal(str, float)
    idle = Signal()
    refreshed = Signal()
    figures_updated = Signal()  # the header's figures and the progress bar were refreshed together
    architecture_changed = Signal(object)  # ArchitectureSnapshot
    wire_captured = Signal(object)  # backend.wire.WireCapture of the last single exchange

    def __init__(self, settings: Settings | None = None, presentation: bool = False) -> None:
        super().__init__()
        install_wheel_guard()
        ensure_translator((settings or Settings()).language())  # its LanguageChange is delivered at once
        self.setWindowTitle(self.tr("IPC Lab — FIFOs, TCP and Unix sockets, live"))
        icon_path = resource_path("icons", "ipclab-256.png")
        if os.path.exists(icon_path):
            self.setWindowIcon(QIcon(icon_path))
        self.settings = settings or Settings()
        self.presentation = presentation
        self.zoom = min(2.0, max(0.7, self.settings.zoom()))
        self.extra_clients: dict[str, ClientNode] = {}  # client threads of the demos, by key
        self.last_wire = None
        self.coordinator = coordinator = RunCoordinator(self)
        # The same objects as the coordinator's, never reassigned: for the panels, pages and tests.
        self.model, self.inbox, self.client_pid = coordinator.model, coordinator.inbox, coordinator.client_pid
        self.servers, self.runs = coordinator.servers, coordinator.runs
        self._ticks = 0
        self.plot_refreshes = 0
        self.redraw_pacer = RedrawPacer(REFRESH_INTERVAL_MS / 1000)
        self._closed = False
        self._build()
        for transport, server in self.servers.items():
            server.configured_address = self.settings.address(transport)
            self.server_panels[transport].address_edit.setText(server.configured_address)
            self.server_panels[transport].set_command(self.settings.command(transport))
            server.event.connect(lambda event, name=transport: self._on_server_event(name, event))
            server.failed.connect(lambda message, name=transport: self._on_server_failed(name, message))
        self._wire_coordinator()
        install_engine_choice(self)  # Run ▸ Engine and the status bar's engine label
        self.client_panel.set_spec(self.settings.workload())
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1600, 1000)
        QTimer.singleShot(0, self, lambda: fit_to_screen(self))  # a geometry from a larger screen
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_INTERVAL_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.refresh_architecture()
        if presentation or self.zoom != 1.0:
            self.set_presentation(presentation)

    # -- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.primary_button = QPushButton()
        self.primary_button.setObjectName("primaryButton")
        self.primary_button.setToolTip(self.tr("Starts the server if needed and sends one request"))
        self.primary_button.clicked.connect(lambda: self.single_request(self.client_panel.transport))
        self.summary_labels: dict[str, QLabel] = {}
        self.summary_caption_labels: dict[str, QLabel] = {}
        summary = build_summary(self.summary_labels, self.summary_caption_labels)
        top = QHBoxLayout()
        top.addWidget(self.primary_button)
        top.addSpacing(24)
        top.addLayout(summary)
        top.addStretch(1)

        self.server_panels = {transport: ServerPanel(server) for transport, server in self.servers.items()}
        self.client_panel = ClientPanel()
        self.client_panel.transport_changed.connect(self._update_primary_button)
        self.client_panel.single_requested.connect(self.single_request)
        self.client_panel.workload_requested.connect(self.start_workload)
        self.client_panel.compare_requested.connect(self.start_compare)
        self.client_panel.stop_requested.connect(self.stop_runs)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        for panel in self.server_panels.values():
            left_layout.addWidget(panel)
        left_layout.addWidget(self.client_panel)
        left_layout.addStretch(1)
        scroll = QScrollArea()
        self.left_scroll = scroll
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(left.sizeHint().width() + 24)

        self.plots = plots = PlotPages()
        self.distribution_plot, self.latency_time_plot = plots.distribution_plot, plots.latency_time_plot
        self.latency_histogram_plot, self.throughput_plot = plots.latency_histogram_plot, plots.throughput_plot
        self.latency_cdf_plot, self.compare_view = plots.latency_cdf_plot, plots.compare_view
        self.overview = overview = plots.overview
        self.architecture_view = ArchitectureView()
        self.tabs = QTabWidget()
        self.tabs.addTab(overview, self.tr("Overview"))
        self.tabs.addTab(self.architecture_view, self.tr("Architecture"))
        self._build_teaching_tabs()
        self.tabs.addTab(self.latency_cdf_plot, self.tr("Latency CDF"))
        self.tabs.addTab(self.compare_view, self.tr("Compare"))
        self.tabs.currentChanged.connect(lambda _index: self.refresh_plots(force=True))

        self.client_log = LogView(self.tr("Client"))
        self.server_log = LogView(self.tr("Servers"))
        logs = QSplitter(Qt.Orientation.Horizontal)
        self.logs_splitter = logs
        logs.addWidget(self.client_log)
        logs.addWidget(self.server_log)
        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(scroll)
        upper.addWidget(self.tabs)
        upper.setStretchFactor(1, 1)
        upper.setSizes([440, 1160])
        main = QSplitter(Qt.Orientation.Vertical)
        self.main_splitter = main
        main.addWidget(upper)
        main.addWidget(logs)
        main.setStretchFactor(0, 3)
        main.setStretchFactor(1, 1)
        main.setSizes([700, 260])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        layout.addWidget(main, 1)
        # In a scroll area that asks for no width of its own: zoom and presentation fonts never
        # push the window past the screen (qtapp/window/fitting.py).
        self.setCentralWidget(scrolling_container(central))
        build_menus(self)
        self._update_primary_button()
        self.welcome_hint = self.tr("Press the blue button to see a FIFO exchange.")
        self.statusBar().showMessage(self.welcome_hint)

    def _build_teaching_tabs(self) -> None:
        """The classroom tabs (step mode, wire bytes, the naive design, fault demos), if available."""
        from qtapp.classroom.teaching import add_teaching_tabs

        add_teaching_tabs(self)

    def _update_primary_button(self, *_arguments: object) -> None:
        self.primary_button.setText(self.tr("▶  Run a {transport} exchange").format(
            transport=TRANSPORT_NAMES[self.client_panel.transport]))

    # -- presentation, zoom, language, tour ---------------------------------------------------
    def set_presentation(self, presentation: bool) -> None:
        """Presentation mode: large fonts, thick plot lines, high contrast, fewer panels."""
        self.presentation = bool(presentation)
        if self.presentation_action.isChecked() != self.presentation:
            self.presentation_action.setChecked(self.presentation)
        self._apply_zoom()
        arrange_for_presentation(self)

    def change_zoom(self, direction: int) -> None:
        """Ctrl + / Ctrl - / Ctrl 0: bigger, smaller, normal."""
        self.zoom = next_zoom(self.zoom, direction)
        self._apply_zoom()
        self.statusBar().showMessage(self.tr("Zoom {percent} %").format(percent=round(self.zoom * 100)), 2000)

    @property
    def point_size(self) -> int:
        return point_size_for(self.presentation, self.zoom)

    @property
    def line_scale(self) -> float:
        return (PRESENTATION_LINE_SCALE if self.presentation else 1.0) * max(1.0, self.zoom)

    def plot_cards(self) -> list:
        return self.plots.cards()

    def _apply_zoom(self) -> None:
        apply_zoom(self)

    def choose_language(self, code: str) -> None:
        """Switch every text on screen to `code` now (and remember it): installing the translator
        makes Qt send each widget a LanguageChange, and each runs its retranslate()."""
        self.settings.set_language(code)
        self.settings.sync()
        from qtapp.window.i18n import install_translator

        install_translator(code)

    def retranslate(self) -> None:
        retranslate_window(self)

    def start_tour(self) -> None:
        from qtapp.classroom.tour import GuidedTour

        tour = getattr(self, "tour", None)
        if tour is None:
            self.tour = tour = GuidedTour(self)
        tour.restart()

    # -- architecture -------------------------------------------------------------------------
    def client_nodes(self) -> list[ClientNode]:
        return client_nodes(self)

    def architecture_snapshot(self) -> ArchitectureSnapshot:
        return build_snapshot(self.client_pid, self.servers, self.client_nodes())

    def refresh_architecture(self, redraw: bool = False) -> ArchitectureSnapshot:
        """Read what runs now (pids, FIFOs on disk, connections) and redraw the view if it changed
        (or anyway with `redraw`, e.g. in a new language)."""
        snapshot = self.architecture_snapshot()
        if redraw:
            self.architecture_view.snapshot = None
        if self.architecture_view.set_snapshot(snapshot):
            self.architecture_changed.emit(snapshot)
        return snapshot

    # -- servers and runs: the coordinator's, shown here ----------------------------------------
    def _wire_coordinator(self) -> None:
        coordinator = self.coordinator
        coordinator.running_changed.connect(self.refresh_architecture)
        coordinator.server_unavailable.connect(
            lambda transport, reason: self.client_log.add_line(server_unavailable_line(transport, reason)))
        coordinator.run_refused.connect(lambda transport: self.client_panel.show_error(
            self.tr("a run on {transport} is still going").format(transport=TRANSPORT_NAMES[transport])))
        coordinator.run_starting.connect(self._on_run_starting)
        coordinator.batch_added.connect(self._on_batch_added)
        coordinator.progress.connect(self._on_progress)
        coordinator.wire_captured.connect(self._on_wire_captured)
        coordinator.run_finished.connect(self._on_run_finished)  # before the window's listeners
        coordinator.run_finished.connect(self.run_finished)
        coordinator.run_stopped.connect(self.run_stopped)
        coordinator.idle.connect(self.idle)

    def ensure_server(self, transport: str, action: Callable[[], None]) -> None:
        """Run `action` once the transport's server listens, starting it if needed."""
        self.coordinator.ensure_server(transport, action)

    def _on_server_failed(self, transport: str, message: str) -> None:
        for line in server_failure_lines(transport, self.server_panels[transport].state_text()):
            self.server_log.add_line(line)
        self.statusBar().showMessage(self.tr("{transport} server: {message}").format(
            transport=TRANSPORT_NAMES[transport], message=message.splitlines()[0] if message else ""), 10_000)

    def _on_server_event(self, transport: str, event: dict) -> None:
        kind = event.get("event")
        if kind == "request":
            self.architecture_view.pulse(transport, "request")
        elif kind == "reply_sent":
            self.architecture_view.pulse(transport, "reply")
        line = server_event_line(transport, self.servers[transport].pid, event)
        if line is not None:
            self.server_log.add_line(line)

    @property
    def running(self) -> bool:
        return self.coordinator.running

    def single_request(self, transport: str) -> None:
        """One request for "Numbers each" numbers in the panel's range (a random 1..10 if so ticked)."""
        panel = self.client_panel
        lo, hi = panel.lo_spin.value(), panel.hi_spin.value()
        if lo > hi:
            panel.show_error(f"the range is empty: lo {lo} > hi {hi}")
            return
        panel.show_error("")
        self.coordinator.single_exchange(transport, lo, hi, panel.single_count())

    def start_workload(self, spec: WorkloadSpec) -> None:
        self.coordinator.start_workload(spec)

    def start_compare(self, spec: WorkloadSpec) -> None:
        """Run `spec` on FIFO, then TCP, then Unix socket; the plots and table overlay them."""
        self.tabs.setCurrentWidget(self.compare_view)
        self.compare_view.set_reference(spec)
        self.coordinator.start_compare(spec)

    def stop_runs(self) -> None:
        """Stop every running client now (blocked I/O is interrupted) and cancel a comparison."""
        self.coordinator.stop_runs()

    def _on_progress(self, progress: RunProgress) -> None:
        self._last_progress = progress
        show_progress(self.client_panel, progress)
        position = self.coordinator.compare_position()
        self.compare_view.show_live(compare_live_line(progress, position) if position is not None else "")

    def _on_run_starting(self, run: RunController, single: bool) -> None:
        if self.statusBar().currentMessage() == self.welcome_hint:
            self.statusBar().clearMessage()  # followed: a run starts
        if not single:
            self.client_log.add_line(workload_line(run.spec, self.client_pid))
        self.client_panel.set_running(True)

    def _on_wire_captured(self, wire: object) -> None:
        self.last_wire = wire
        self.wire_captured.emit(wire)

    def _on_run_finished(self, transport: str, run_id: int, errors: list) -> None:
        for error in errors[:3]:
            self.client_log.add_line(error_line(transport, self.client_pid, error))
        if errors:
            self.client_panel.show_error(f"{TRANSPORT_NAMES[transport]}: {errors[0]}")
        self.client_panel.set_running(bool(self.runs))
        self.refresh_plots(force=True)

    # -- the timer: drain batches, refresh plots ----------------------------------------------
    def drain(self) -> int:
        """Move the workers' batches into the model (and the client log); return how many."""
        return self.coordinator.drain()

    def _on_batch_added(self, series: TransportSeries, batch: ExchangeBatch) -> None:
        if self.servers[series.transport].custom_command and len(batch.records):
            self.architecture_view.pulse(series.transport, "request")  # no event lines from it
        for entry in client_log_entries(series, batch, self.client_pid):
            self.client_log.add_line(exchange_line(entry))

    def tick(self) -> None:
        self._ticks += 1
        self.drain()
        if self.redraw_pacer.may_redraw(time.monotonic()):
            self.refresh_plots()
        if self._ticks % FIGURES_EVERY_TICKS == 0:
            self.update_figures()
        if self._ticks % DETAILS_EVERY_TICKS == 0:
            for panel in self.server_panels.values():
                panel.refresh_details()
        if self._ticks % ARCHITECTURE_EVERY_TICKS == 0:
            self.refresh_architecture()

    def refresh_plots(self, force: bool = False) -> None:
        """Redraw the plots of the visible tab from the model (each skips work if nothing changed)."""
        if force:
            self._update_summary()
        if self.plots.refresh(self.tabs.currentWidget(), self.model, force):
            self.plot_refreshes += 1
            self.refreshed.emit()

    def show_everything_now(self) -> None:
        """Bring every view up to date at once (before a screenshot): batches drained, the plots
        redrawn, both logs' pending lines shown."""
        self.drain()
        self.refresh_plots(force=True)
        self.client_log.flush()
        self.server_log.flush()

    def update_figures(self) -> None:
        """The header's figures and the progress bar from the same drained model, in one go: the
        exchanges they count are the same number."""
        self.coordinator.update_progress()
        self._update_summary()
        self.figures_updated.emit()

    def _update_summary(self) -> None:
        update_summary(self.summary_labels, self.model.current())

    # -- export, clearing --------------------------------------------------------------------
    def export_json(self, path: str) -> None:
        self.coordinator.export_json(path)

    def export_csv(self, path: str) -> int:
        return self.coordinator.export_csv(path)

    def clear_results(self) -> None:
        self.model.clear()
        self.client_log.clear()
        self.server_log.clear()
        self.refresh_plots(force=True)

    def about_text(self) -> str:
        return about_text()

    # -- shutdown -----------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the workers, terminate the servers (terminate, wait, kill) and remove their files."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self.architecture_view.stop()
        if getattr(self, "tour", None) is not None:
            self.tour.close()
        for page in getattr(self, "teaching_pages", []):
            page.shutdown()
        self.coordinator.cancel_waiting()
        self.settings.save_window(self)
        self.coordinator.shutdown()
        self.client_log.stop()
        self.server_log.stop()
        for panel in self.server_panels.values():
            panel.stop_timers()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.shutdown()
        event.accept()
