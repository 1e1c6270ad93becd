"""The main window: server panels and client controls on the left, live plots on the right, the
client and server logs side by side below; menus for export, view and help.

The GUI thread never blocks on I/O: servers are QProcesses, clients run in QThreads and hand
their batches over through the model's inbox, which a 30 Hz timer drains before refreshing the
visible plots.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import time
from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QTimer, Signal, qVersion
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import backend
from backend.measuring.runner import WorkloadSpec
from backend.measuring.stats import RunningRate
from qtapp.classroom.architecture import (
    ArchitectureSnapshot,
    ArchitectureView,
    ClientNode,
    build_snapshot,
)
from qtapp.measuring.client_panel import ClientPanel
from qtapp.measuring.client_worker import RunController
from qtapp.measuring.event_text import describe_event
from qtapp.measuring.log_view import LogView, format_time
from qtapp.measuring.model import (
    TRANSPORT_NAMES,
    BatchInbox,
    RunModel,
    TransportSeries,
    client_log_entries,
)
from qtapp.measuring.plots.compare import CompareView
from qtapp.measuring.plots.distribution import DistributionPlot
from qtapp.measuring.plots.latency import (
    LatencyCdfPlot,
    LatencyHistogramPlot,
    LatencyOverTimePlot,
)
from qtapp.measuring.plots.style import format_microseconds, scale_plot_widget
from qtapp.measuring.plots.throughput import ThroughputPlot
from qtapp.measuring.results_export import write_csv, write_json
from qtapp.measuring.server_panels import ServerPanel
from qtapp.measuring.server_qprocess import QtServerProcess, ServerState
from qtapp.window.resource_files import resource_path
from qtapp.window.settings import Settings
from qtapp.window.style_sheet import apply_style, next_zoom, point_size_for
from qtapp.window.i18n import ensure_translator
from qtapp.window.wheel_guard import install_wheel_guard

TRANSPORTS = ("fifo", "tcp", "unix")
REFRESH_INTERVAL_MS = 20  # 50 ticks a second; the overview's plots are updated in two halves,
# alternately, so each plot refreshes 25 times a second and no tick repaints all of them at once
SUMMARY_EVERY_TICKS = 12  # text figures ~4 times a second
SHUTDOWN_THREADS_S = 0.5
ARCHITECTURE_EVERY_TICKS = 25  # the architecture view re-reads the system twice a second
PRESENTATION_LINE_SCALE = 2.5


class MainWindow(QMainWindow):
    """IPC Lab's window; also the controller that ties servers, runs, model and views together.

    Signals:
        run_finished(str transport, int run_id, list errors)
        run_stopped(str transport, float seconds): a run stopped by the user; seconds from Stop until
            its last client thread had returned.
        idle(): no run is active and no comparison is queued any more.
        refreshed(): the plots were redrawn (once per timer tick with new data).
    """

    run_finished = Signal(str, int, list)
    run_stopped = Signal(str, float)
    idle = Signal()
    refreshed = Signal()
    architecture_changed = Signal(object)  # ArchitectureSnapshot
    wire_captured = Signal(object)  # backend.wire.WireCapture of the last single exchange

    def __init__(self, settings: Settings | None = None, presentation: bool = False) -> None:
        super().__init__()
        install_wheel_guard()
        ensure_translator((settings or Settings()).language())
        self.setWindowTitle(self.tr("IPC Lab — FIFOs, TCP and Unix sockets, live"))
        icon_path = resource_path("icons", "ipclab-256.png")
        if os.path.exists(icon_path):
            self.setWindowIcon(QIcon(icon_path))
        self.settings = settings or Settings()
        self.presentation = presentation
        self.zoom = min(2.0, max(0.7, self.settings.zoom()))
        self.extra_clients: dict[str, ClientNode] = {}  # client threads of the demos, by key
        self.last_wire = None
        self.model = RunModel()
        self.inbox = BatchInbox()
        self.client_pid = os.getpid()
        self.servers = {transport: QtServerProcess(transport, self) for transport in TRANSPORTS}
        self.runs: dict[str, RunController] = {}
        self._run_series: dict[int, TransportSeries] = {}
        self._waiting: dict[str, list[Callable[[], None]]] = {transport: [] for transport in TRANSPORTS}
        self._compare_queue: list[str] = []
        self._compare_spec: WorkloadSpec | None = None
        self._progress_rate = RunningRate(window_s=1.0)
        self._focus_run: RunController | None = None
        self._ticks = 0
        self.plot_refreshes = 0
        self._plots_version_seen = -1
        self._overview_half = 0
        self._overview_versions = [-1, -1]
        self._closed = False
        self._build()
        for transport, server in self.servers.items():
            server.configured_address = self.settings.address(transport)
            self.server_panels[transport].address_edit.setText(server.configured_address)
            self.server_panels[transport].set_command(self.settings.command(transport))
            server.event.connect(lambda event, name=transport: self._on_server_event(name, event))
            server.state_changed.connect(lambda state, name=transport: self._on_server_state(name, state))
            server.failed.connect(lambda message, name=transport: self._on_server_failed(name, message))
            server.ready.connect(lambda _event, name=transport: self._on_server_ready(name))
        self.client_panel.set_spec(self.settings.workload())
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1600, 1000)
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
        summary = QHBoxLayout()
        summary.setSpacing(18)
        for key, title in (("transport", self.tr("transport")), ("exchanges", self.tr("exchanges")),
                           ("numbers", self.tr("numbers")), ("rate", self.tr("exchanges/s")),
                           ("p50", self.tr("p50 round trip")), ("p99", self.tr("p99 round trip")),
                           ("chi", self.tr("uniform? (χ² p)"))):
            box = QVBoxLayout()
            value = QLabel("–")
            value.setObjectName("figureValue")
            caption = QLabel(title)
            caption.setObjectName("figureCaption")
            box.addWidget(value)
            box.addWidget(caption)
            summary.addLayout(box)
            self.summary_labels[key] = value
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

        self.distribution_plot = DistributionPlot()
        self.latency_time_plot = LatencyOverTimePlot()
        self.latency_histogram_plot = LatencyHistogramPlot()
        self.throughput_plot = ThroughputPlot()
        self.latency_cdf_plot = LatencyCdfPlot()
        self.compare_view = CompareView()
        overview = QWidget()
        grid = QGridLayout(overview)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.addWidget(self.distribution_plot, 0, 0)
        grid.addWidget(self.latency_time_plot, 0, 1)
        grid.addWidget(self.latency_histogram_plot, 1, 0)
        grid.addWidget(self.throughput_plot, 1, 1)
        self.overview = overview
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
        self.setCentralWidget(central)
        self._build_menus()
        self._update_primary_button()
        self.welcome_hint = self.tr("Press the blue button to see a FIFO exchange.")
        self.statusBar().showMessage(self.welcome_hint)

    def _build_teaching_tabs(self) -> None:
        """The classroom tabs (step mode, wire bytes, the naive design, fault demos), if available."""
        from qtapp.classroom.teaching import add_teaching_tabs

        add_teaching_tabs(self)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.export_json_action = file_menu.addAction(self.tr("Export results as &JSON…"), self._export_json_dialog)
        self.export_csv_action = file_menu.addAction(self.tr("Export results as &CSV…"), self._export_csv_dialog)
        file_menu.addAction(self.tr("Save &window as PNG…"), self._save_window_dialog)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.presentation_action = QAction(self.tr("&Presentation"), self)
        self.presentation_action.setCheckable(True)
        self.presentation_action.setChecked(self.presentation)
        self.presentation_action.setShortcut(QKeySequence("F5"))
        self.presentation_action.setToolTip(self.tr("Large fonts, thick lines, high contrast; hides what a class "
                                                    "does not need"))
        self.presentation_action.toggled.connect(self.set_presentation)
        view_menu.addAction(self.presentation_action)
        self.side_panel_action = QAction(self.tr("&Side panel (servers and client)"), self)
        self.side_panel_action.setCheckable(True)
        self.side_panel_action.setChecked(True)
        self.side_panel_action.setShortcut(QKeySequence("Ctrl+L"))
        self.side_panel_action.toggled.connect(lambda shown: self.left_scroll.setVisible(shown))
        view_menu.addAction(self.side_panel_action)
        self.addAction(self.side_panel_action)
        for text, keys, direction in ((self.tr("Zoom &in"), (QKeySequence.StandardKey.ZoomIn, "Ctrl+="), 1),
                                      (self.tr("Zoom &out"), (QKeySequence.StandardKey.ZoomOut,), -1),
                                      (self.tr("&Reset zoom"), ("Ctrl+0",), 0)):
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.triggered.connect(lambda _checked=False, d=direction: self.change_zoom(d))
            view_menu.addAction(action)
            self.addAction(action)  # shortcuts work in presentation mode too
        view_menu.addSeparator()
        for index in range(self.tabs.count()):
            action = view_menu.addAction(self.tabs.tabText(index), lambda i=index: self.tabs.setCurrentIndex(i))
            if index < 9:
                action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
        view_menu.addSeparator()
        language_menu = view_menu.addMenu(self.tr("&Language"))
        from qtapp.window.i18n import LANGUAGES

        current = self.settings.language()
        for code, name in LANGUAGES:
            action = language_menu.addAction(name if code else self.tr("System language"))
            action.setCheckable(True)
            action.setChecked(code == current)
            action.triggered.connect(lambda _checked=False, c=code: self.choose_language(c))
        view_menu.addSeparator()
        view_menu.addAction(self.tr("&Clear plots and logs"), self.clear_results)
        runs_menu = self.menuBar().addMenu(self.tr("&Run"))
        runs_menu.addAction(self.tr("Start all &servers"), lambda: [server.start() for server in self.servers.values()])
        runs_menu.addAction(self.tr("S&top all servers"), lambda: [server.stop() for server in self.servers.values()])
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.tr("&Guided tour"), self.start_tour)
        help_menu.addAction(self.tr("&About IPC Lab"), self.show_about)

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
        # A class needs the drawing and the plots, not the settings: the side panel folds away
        # (View → Side panel or Ctrl+L brings it back) and the logs get less room.
        self.side_panel_action.setChecked(not self.presentation)
        total = sum(self.main_splitter.sizes()) or 960
        logs_share = 0.2 if self.presentation else 0.27
        self.main_splitter.setSizes([int(total * (1 - logs_share)), int(total * logs_share)])
        for panel in self.server_panels.values():
            panel.set_compact(self.presentation)
        self.client_panel.set_compact(self.presentation)
        for log in (self.client_log, self.server_log):
            log.set_compact(self.presentation)
        for card in self.plot_cards():
            card.set_compact(self.presentation)

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
        return [self.distribution_plot, self.latency_time_plot, self.latency_histogram_plot, self.throughput_plot,
                self.latency_cdf_plot, self.compare_view.cdf, self.compare_view.rates]

    def _apply_zoom(self) -> None:
        from PySide6.QtWidgets import QApplication

        application = QApplication.instance()
        if application is not None:
            apply_style(application, self.presentation, self.zoom)
        size = self.point_size
        for card in self.plot_cards():
            scale_plot_widget(card.graphics, size, self.line_scale)
        for log in (self.client_log, self.server_log):
            log.set_point_size(max(8, size - 1))
        self.architecture_view.set_line_scale(1.6 if self.presentation else 1.0)
        for page in getattr(self, "teaching_pages", []):
            if hasattr(page, "set_point_size"):
                page.set_point_size(size)

    def choose_language(self, code: str) -> None:
        """Remember the language; it applies from the next start (every text is built once)."""
        self.settings.set_language(code)
        self.settings.sync()
        from qtapp.window.i18n import install_translator

        install_translator(code)
        QMessageBox.information(self, self.tr("Language"), self.tr(
            "The language changes the next time IPC Lab starts."))

    def start_tour(self) -> None:
        from qtapp.classroom.tour import GuidedTour

        tour = getattr(self, "tour", None)
        if tour is None:
            self.tour = tour = GuidedTour(self)
        tour.restart()

    # -- architecture -------------------------------------------------------------------------
    def client_nodes(self) -> list[ClientNode]:
        """Every client thread of this process that is running now."""
        nodes = []
        for run in self.runs.values():
            if not run.running:
                continue
            for index in range(run.spec.concurrency):
                nodes.append(ClientNode(f"{run.transport}:{run.run_id}:{index}", run.transport,
                                        self.tr("client thread {number}").format(number=index + 1)))
        nodes.extend(self.extra_clients.values())
        return nodes

    def architecture_snapshot(self) -> ArchitectureSnapshot:
        return build_snapshot(self.client_pid, self.servers, self.client_nodes())

    def refresh_architecture(self) -> ArchitectureSnapshot:
        """Read what runs now (pids, FIFOs on disk, connections) and redraw the view if it changed."""
        snapshot = self.architecture_snapshot()
        if self.architecture_view.set_snapshot(snapshot):
            self.architecture_changed.emit(snapshot)
        return snapshot

    # -- servers ------------------------------------------------------------------------------
    def ensure_server(self, transport: str, action: Callable[[], None]) -> None:
        """Run `action` once the transport's server listens, starting it if needed."""
        if self.statusBar().currentMessage() == self.welcome_hint:
            self.statusBar().clearMessage()  # done: the user pressed a button
        server = self.servers[transport]
        if server.state == ServerState.LISTENING:
            action()
            return
        self._waiting[transport].append(action)
        if not server.running:
            server.start()

    def _on_server_ready(self, transport: str) -> None:
        self.refresh_architecture()
        actions, self._waiting[transport] = self._waiting[transport], []
        for action in actions:
            action()

    def _on_server_state(self, transport: str, state: str) -> None:
        self.refresh_architecture()
        if state in (ServerState.FAILED, ServerState.CRASHED, ServerState.STOPPED) and self._waiting[transport]:
            self._waiting[transport] = []
            self.client_log.add_line(f"{format_time(time.time())}  " + self.tr(
                "{transport}: the server is not available ({reason})").format(
                transport=TRANSPORT_NAMES[transport], reason=self.servers[transport].message or state))
            self._finish_compare_if_blocked(transport)
        self._check_idle()

    def _on_server_failed(self, transport: str, message: str) -> None:
        for number, line in enumerate(self.server_panels[transport].state_text().splitlines()):
            self.server_log.add_line((f"{format_time(time.time())}  {TRANSPORT_NAMES[transport]:11}  " if number == 0
                                      else " " * 27) + line)
        self.statusBar().showMessage(self.tr("{transport} server: {message}").format(
            transport=TRANSPORT_NAMES[transport], message=message.splitlines()[0] if message else ""), 10_000)

    def _on_server_event(self, transport: str, event: dict) -> None:
        kind = event.get("event")
        if kind == "request":
            self.architecture_view.pulse(transport, "request")
        elif kind == "reply_sent":
            self.architecture_view.pulse(transport, "reply")
        text = describe_event(event)
        if text is None:
            return
        when = float(event.get("time") or time.time())
        pid = self.servers[transport].pid or event.get("pid", "")
        self.server_log.add_line(f"{format_time(when)}  {TRANSPORT_NAMES[transport]:11}  pid {pid}  {text}")

    # -- runs ---------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return bool(self.runs) or bool(self._compare_queue)

    def single_request(self, transport: str) -> None:
        """The classic exercise: one request for a random count (1..10) of numbers."""
        panel = self.client_panel
        lo, hi = panel.lo_spin.value(), panel.hi_spin.value()
        if lo > hi:
            panel.show_error(f"the range is empty: lo {lo} > hi {hi}")
            return
        panel.show_error("")
        spec = WorkloadSpec(transport=transport, requests=1, count=None, lo=lo, hi=hi, concurrency=1)
        self.ensure_server(transport, lambda: self._start_run(spec, single=True))

    def start_workload(self, spec: WorkloadSpec) -> None:
        self._compare_queue = []
        self.ensure_server(spec.transport, lambda: self._start_run(spec, single=False))

    def start_compare(self, spec: WorkloadSpec) -> None:
        """Run `spec` on FIFO, then TCP, then Unix socket; the plots and table overlay them."""
        self._compare_spec = spec
        self._compare_queue = list(TRANSPORTS)
        self.tabs.setCurrentWidget(self.compare_view)
        self._next_compare()

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
        transport = spec.transport
        server = self.servers[transport]
        if transport in self.runs:
            self.client_panel.show_error(self.tr("a run on {transport} is still going").format(
                transport=TRANSPORT_NAMES[transport]))
            return
        if single:
            series = self.model.series_for(transport, spec)
        else:
            series = self.model.reset(transport, spec)
        series.address = server.address
        run = RunController(spec, server.address, self.inbox, series.start_ns, self, capture_wire=single)
        run.finished.connect(self._on_run_finished)
        self.runs[transport] = run
        self._run_series[run.run_id] = series
        if not single:
            self._focus_run = run
            self._progress_rate.reset()
            workload = (self.tr("workload: {requests} requests × {count} numbers in {lo}..{hi}, "
                                "{threads} client threads") if spec.concurrency > 1
                        else self.tr("workload: {requests} requests × {count} numbers in {lo}..{hi}, "
                                     "{threads} client thread")).format(
                requests=spec.requests or self.tr("unlimited"),
                count=self.tr("random 1..10") if spec.count is None else spec.count,
                lo=spec.lo, hi=spec.hi, threads=spec.concurrency)
            self.client_log.add_line(
                f"{format_time(time.time())}  {TRANSPORT_NAMES[transport]:11}  "
                + self.tr("client pid {pid}").format(pid=self.client_pid) + f"  {workload}"
                + (f", {spec.duration:g} s" if spec.duration else ""))
        self.client_panel.set_running(True)
        run.start()
        self.refresh_architecture()

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
        for error in errors[:3]:
            self.client_log.add_line(f"{format_time(time.time())}  {TRANSPORT_NAMES[transport]:11}  "
                                     + self.tr("client pid {pid}  error: {error}").format(pid=self.client_pid,
                                                                                          error=error))
        if errors:
            self.client_panel.show_error(f"{TRANSPORT_NAMES[transport]}: {errors[0]}")
        if run is self._focus_run:
            self._update_progress(final=True)
        if run.wire is not None:
            self.last_wire = run.wire
            self.wire_captured.emit(run.wire)
        run.deleteLater()
        self.refresh_architecture()
        self.client_panel.set_running(bool(self.runs))
        if run.stop_latency_s is not None:
            self.run_stopped.emit(transport, run.stop_latency_s)
        self.run_finished.emit(transport, run_id, list(errors))
        if self._compare_spec is not None and not run.stopped and self._compare_queue:
            self._next_compare()
        else:
            if not self._compare_queue:
                self._compare_spec = None
            self._check_idle()
        self.refresh_plots(force=True)

    def _check_idle(self) -> None:
        if not self.runs and not self._compare_queue and not any(self._waiting.values()):
            self.idle.emit()

    # -- the timer: drain batches, refresh plots ----------------------------------------------
    def drain(self) -> int:
        """Move the workers' batches into the model (and the client log); return how many."""
        items = self.inbox.drain()
        for item in items:
            series = self._run_series.get(item.run_id)
            if series is None:
                continue
            series.add(item.batch)
            if self.servers[series.transport].custom_command and len(item.batch.records):
                self.architecture_view.pulse(series.transport, "request")  # no event lines from it
            for entry in client_log_entries(series, item.batch, self.client_pid):
                self.client_log.add_line(
                    f"{format_time(entry.time_s)}  {TRANSPORT_NAMES[entry.transport]:11}  "
                    + self.tr("client {client} → server {server}").format(client=entry.client_pid,
                                                                          server=entry.server_pid)
                    + f"  {entry.text}")
        if items:
            self.model.version += 1
        return len(items)

    def tick(self) -> None:
        self._ticks += 1
        self.drain()
        self.refresh_plots()
        if self._focus_run is not None:
            self._update_progress()
        if self._ticks % SUMMARY_EVERY_TICKS == 0:
            self._update_summary()
            for panel in self.server_panels.values():
                panel.refresh_details()
        if self._ticks % ARCHITECTURE_EVERY_TICKS == 0:
            self.refresh_architecture()

    def refresh_plots(self, force: bool = False) -> None:
        """Redraw the plots of the visible tab from the model (each skips work if nothing changed)."""
        if force:
            self._update_summary()
        all_series = self.model.series
        current = self.model.current()
        page = self.tabs.currentWidget()
        if page is self.overview and not force:
            # Half the overview per tick: the event loop never waits for all four repaints.
            half = self._overview_half
            if self._overview_versions[half] == self.model.version:
                return
            self._overview_versions[half] = self.model.version
            self._overview_half = 1 - half
            if half == 0:
                self.distribution_plot.refresh(current)
                self.throughput_plot.refresh(all_series)
                return
            self.latency_time_plot.refresh(all_series)
            self.latency_histogram_plot.refresh(all_series, current)
            self.plot_refreshes += 1
            self.refreshed.emit()
            return
        if not force and self._plots_version_seen == self.model.version:
            return
        self._plots_version_seen = self.model.version
        self._overview_versions = [self.model.version, self.model.version]
        if page is self.overview:
            self.distribution_plot.refresh(current, final=force)
            self.latency_time_plot.refresh(all_series)
            self.latency_histogram_plot.refresh(all_series, current, final=force)
            self.throughput_plot.refresh(all_series)
        elif page is self.latency_cdf_plot:
            self.latency_cdf_plot.refresh(all_series, current, final=force)
        elif page is self.compare_view:
            self.compare_view.refresh(all_series, current)
        self.plot_refreshes += 1
        self.refreshed.emit()

    def _update_progress(self, final: bool = False) -> None:
        run = self._focus_run
        if run is None:
            return
        series = self._run_series.get(run.run_id) or self.model.series.get(run.transport)
        panel = self.client_panel
        if series is None:
            return
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
        if final:
            fraction = 1.0 if not run.stopped else fraction
            if run.stopped:
                word = self.tr("stopped: {done} exchanges")
            elif run.errors:
                word = self.tr("failed: {done} exchanges")
            else:
                word = self.tr("done: {done} exchanges")
            panel.progress.setFormat(word.format(done=f"{done:,}"))
            panel.progress_label.setText(self.tr("{transport}: {done} exchanges in {elapsed} s").format(
                transport=TRANSPORT_NAMES[run.transport], done=f"{done:,}", elapsed=f"{elapsed:.1f}"))
            self._focus_run = None
        else:
            remaining = min(left) if left else None
            name = TRANSPORT_NAMES[run.transport]
            panel.progress.setFormat(
                self.tr("{transport}: {done} exchanges ({percent})").format(
                    transport=name, done=f"{done:,}", percent=f"{fraction:.0%}") if fractions
                else self.tr("{transport}: {done} exchanges").format(transport=name, done=f"{done:,}"))
            panel.progress_label.setText(self.tr("{rate} exchanges/s · ").format(rate=f"{rate:,.0f}") + (
                self.tr("{seconds} s left").format(seconds=f"{max(0.0, remaining):.1f}") if remaining is not None
                else self.tr("until you press Stop")))
        panel.progress.setValue(int(fraction * 1000))

    def _update_summary(self) -> None:
        series = self.model.current()
        labels = self.summary_labels
        if series is None:
            for label in labels.values():
                label.setText("–")
            return
        statistics = series.statistics
        latency = statistics.latency
        labels["transport"].setText(TRANSPORT_NAMES[series.transport])
        labels["exchanges"].setText(f"{statistics.exchanges:,}")
        labels["numbers"].setText(f"{statistics.numbers:,}")
        labels["rate"].setText(f"{statistics.exchanges / statistics.elapsed_s:,.0f}" if statistics.exchanges > 1
                               else "–")
        for key, q in (("p50", 50.0), ("p99", 99.0)):
            labels[key].setText(format_microseconds(latency.percentile(q) / 1e3) if latency.count else "–")
        chi = statistics.values.chi_square()
        labels["chi"].setText(f"{chi.p_value:.3f}" if chi.degrees_of_freedom and np.isfinite(chi.p_value) else "–")

    # -- export, about, clearing --------------------------------------------------------------
    def export_json(self, path: str) -> None:
        write_json(path, self.model)

    def export_csv(self, path: str) -> int:
        return write_csv(path, self.model)

    def _export_json_dialog(self) -> None:
        if not self.model.series:
            self.statusBar().showMessage("Nothing to export yet: run something first.", 5000)
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export results as JSON", "ipclab-results.json", "JSON (*.json)")
        if path:
            self.export_json(path)
            self.statusBar().showMessage(f"Results written to {path}", 5000)

    def _export_csv_dialog(self) -> None:
        if not self.model.series:
            self.statusBar().showMessage("Nothing to export yet: run something first.", 5000)
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export results as CSV", "ipclab-results.csv", "CSV (*.csv)")
        if path:
            rows = self.export_csv(path)
            self.statusBar().showMessage(f"{rows:,} exchanges written to {path}", 5000)

    def _save_window_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save window as PNG", "ipclab.png", "PNG image (*.png)")
        if path:
            self.grab().save(path)

    def clear_results(self) -> None:
        self.model.clear()
        self.client_log.clear()
        self.server_log.clear()
        self.refresh_plots(force=True)

    def about_text(self) -> str:
        return (f"<h3>IPC Lab {backend.__version__}</h3>"
                "<p>Shows and measures interprocess communication: FIFOs, TCP and Unix sockets.</p>"
                f"<p>Python {platform.python_version()}<br>Qt {qVersion()} (PySide6 {pyside_version})<br>"
                f"pyqtgraph {pg.__version__}<br>numpy {np.__version__}</p>")

    def show_about(self) -> None:
        QMessageBox.about(self, "About IPC Lab", self.about_text())

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
        self._compare_queue = []
        for waiting in self._waiting.values():
            waiting.clear()
        self._save_settings()
        for run in list(self.runs.values()):
            run.stop()
        for server in self.servers.values():
            server.stop()  # SIGTERM to every server at once; they exit in parallel
        for run in list(self.runs.values()):
            run.shutdown(SHUTDOWN_THREADS_S)
        self.runs.clear()
        for server in self.servers.values():
            server.shutdown()
        self.client_log.stop()
        self.server_log.stop()
        for panel in self.server_panels.values():
            panel.stop_timers()

    def _save_settings(self) -> None:
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_workload(self.client_panel.saved_spec())
        for transport, panel in self.server_panels.items():
            self.settings.set_address(transport, panel.address_edit.text().strip())
            self.settings.set_command(transport, panel.command_edit.text().strip())
        self.settings.set_zoom(self.zoom)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.shutdown()
        event.accept()
