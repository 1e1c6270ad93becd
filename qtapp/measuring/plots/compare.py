"""Compare: the same workload on FIFO, TCP and Unix socket, overlaid, with a summary table.

Only like runs are set side by side: a transport's series is compared when it ran the reference
workload (the last comparison's, else the current series'), to its end, without errors. Other
series (single exchanges, a run stopped or hurt by a fault, another workload) are listed as not
comparable, with the reason; the best figure among the comparable ones is marked."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend.measuring.runner import WorkloadSpec
from qtapp.measuring.model import TRANSPORT_NAMES, TransportSeries
from qtapp.measuring.plots.latency import LatencyCdfPlot
from qtapp.measuring.plots.style import TRANSPORT_COLOURS, CompactAxis, PlotCard, ReadableAxis, format_microseconds, style_plot
from qtapp.window.i18n import number
from qtapp.window.retranslating import Retranslating

COLUMNS = (QT_TRANSLATE_NOOP("Compare", "transport"), QT_TRANSLATE_NOOP("Compare", "exchanges"), "p50", "p99",
           QT_TRANSLATE_NOOP("Compare", "exchanges/s"), QT_TRANSLATE_NOOP("Compare", "numbers/s"), "MB/s",
           QT_TRANSLATE_NOOP("Compare", "errors"))


BEST_COLUMNS = {2: min, 3: min, 4: max, 5: max, 6: max}  # p50, p99: lower is better; rates: higher
NOT_COMPARABLE = "#8a8a8a"


def workload_key(spec: WorkloadSpec) -> tuple:
    """What makes two runs alike, whatever their transport."""
    return (spec.requests, spec.count, spec.lo, spec.hi, spec.concurrency, spec.duration, spec.check_values)


def not_comparable_reason(series: TransportSeries, reference: WorkloadSpec | None) -> str:
    """Why `series` cannot be ranked against the reference workload ("" when it can)."""
    translate = QCoreApplication.translate
    if series.single_exchanges:
        return translate("Compare", "single exchanges, not a workload")
    if reference is not None and workload_key(series.spec) != workload_key(reference):
        return translate("Compare", "another workload")
    if series.stopped_early:
        return translate("Compare", "stopped before its end")
    if series.statistics.errors:
        return translate("Compare", "had errors")
    return ""


def summary_row(series: TransportSeries) -> list[str]:
    """One table row from the bench report of a transport's run."""
    report = series.report()
    latency = report["latency_us"]

    def us(value: float | None) -> str:
        return "–" if value is None else format_microseconds(value)

    return [TRANSPORT_NAMES[series.transport], number(report["exchanges"]), us(latency["p50"]), us(latency["p99"]),
            number(report["exchanges_per_s"]), number(report["numbers_per_s"]),
            number(report["value_megabytes_per_s"], 2), number(report["errors"])]


def ranked_figures(series: TransportSeries) -> dict[int, float | None]:
    """The figures of BEST_COLUMNS, as numbers, by column."""
    report = series.report()
    latency = report["latency_us"]
    return {2: latency["p50"], 3: latency["p99"], 4: report["exchanges_per_s"], 5: report["numbers_per_s"],
            6: report["value_megabytes_per_s"]}


class CompareView(Retranslating, QWidget):
    """Summary table, the overlaid latency CDFs and a numbers/s bar per transport."""

    translation_contexts = ("Compare", "CompareView", "Transports")

    def __init__(self) -> None:
        super().__init__()
        self.reference: WorkloadSpec | None = None  # the workload compared (None: the current series')
        self.workload_label = QLabel("")
        self.workload_label.setObjectName("plotNote")
        self.workload_label.setWordWrap(True)
        self.live_label = QLabel("")
        self.live_label.setObjectName("plotNote")
        self.live_label.setVisible(False)
        self.comparable: dict[str, bool] = {}
        self.table = QTableWidget(3, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([QCoreApplication.translate("Compare", column) for column in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setFixedHeight(self.table.horizontalHeader().height() + 3 * 34 + 6)
        for row in range(3):
            self.table.setRowHeight(row, 34)
        self.cdf = LatencyCdfPlot(QCoreApplication.translate("Compare", "Round-trip CDF, all transports"))
        self.rate_widget = pg.PlotWidget(axisItems={"left": CompactAxis("left"), "bottom": ReadableAxis("bottom")})
        self.rates = PlotCard(QCoreApplication.translate("Compare", "Numbers per second"), self.rate_widget)
        rate_plot = self.rate_widget.getPlotItem()
        style_plot(rate_plot, QCoreApplication.translate("Compare", "transport"), QCoreApplication.translate("Compare", "numbers/s"))
        self.bars = pg.BarGraphItem(x=[0, 1, 2], height=[0, 0, 0], width=0.6,
                                    brushes=[TRANSPORT_COLOURS[name] for name in TRANSPORT_COLOURS])
        rate_plot.addItem(self.bars)
        rate_plot.getAxis("bottom").setTicks([[(index, TRANSPORT_NAMES[name])
                                               for index, name in enumerate(TRANSPORT_COLOURS)]])
        plots = QWidget()
        row = pg.QtWidgets.QHBoxLayout(plots)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.cdf, 3)
        row.addWidget(self.rates, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.workload_label)
        layout.addWidget(self.live_label)
        layout.addWidget(self.table)
        layout.addWidget(plots, 1)
        self._key: tuple = ()

    def after_language_change(self) -> None:
        self._key = ()  # the workload line and the rows are written again on the next refresh

    def set_reference(self, spec: WorkloadSpec | None) -> None:
        """Compare against `spec` (the comparison being run); None: against the current series."""
        self.reference = spec
        self._key = ()

    def describe(self, spec: WorkloadSpec) -> str:
        requests = (self.tr("%Ln request(s)", "", spec.requests) if spec.requests
                    else self.tr("for {seconds} s").format(seconds=f"{spec.duration:g}"))
        count = self.tr("random 1..10") if spec.count is None else f"{spec.count:,}"
        return self.tr("{requests} × {count} numbers in {lo}..{hi}, %Ln client thread(s)", "",
                       spec.concurrency).format(requests=requests, count=count, lo=spec.lo, hi=spec.hi)

    def show_live(self, text: str) -> None:
        """What the comparison is doing now (empty when it is not running)."""
        self.live_label.setText(text)
        self.live_label.setVisible(bool(text))

    def refresh(self, all_series: dict[str, TransportSeries], current: TransportSeries | None) -> None:
        key = tuple((id(all_series.get(name)), all_series[name].version if name in all_series else -1)
                    for name in TRANSPORT_COLOURS)
        if key == self._key:
            return
        self._key = key
        reference = self.reference or (current.spec if current is not None and not current.single_exchanges
                                       else None)
        reasons = {transport: not_comparable_reason(series, reference)
                   for transport, series in all_series.items() if series is not None}
        comparable = {transport: series for transport, series in all_series.items()
                      if series is not None and not reasons[transport]}
        self.comparable = {transport: transport in comparable for transport in TRANSPORT_COLOURS}
        self.workload_label.setText(
            self.tr("Compared: {workload}. Only runs of this workload, finished without errors, are ranked.").format(
                workload=self.describe(reference)) if reference is not None
            else self.tr("Nothing to compare yet: “Compare FIFO · TCP · Unix” runs one workload on each transport."))
        self.cdf.refresh(comparable, None)
        heights = np.zeros(3)
        rows: dict[int, list[str]] = {}
        for index, transport in enumerate(TRANSPORT_COLOURS):
            series = all_series.get(transport)
            if series is None:
                cells = [TRANSPORT_NAMES[transport]] + ["–"] * (len(COLUMNS) - 1)
            elif transport in comparable:
                cells = summary_row(series)
                rows[index] = ranked_figures(series)
                heights[index] = series.report()["numbers_per_s"]
            else:
                cells = [TRANSPORT_NAMES[transport], self.tr("not compared: {reason}").format(
                    reason=reasons[transport])] + [""] * (len(COLUMNS) - 2)
            for column, text in enumerate(cells):
                item = self._item(index, column)
                item.setText(text)
                item.setForeground(QColor("#000000" if series is None or transport in comparable else NOT_COMPARABLE))
                item.setFont(QFont())
            if series is not None and transport not in comparable:
                self.table.setSpan(index, 1, 1, len(COLUMNS) - 1)
            elif self.table.columnSpan(index, 1) > 1:
                self.table.setSpan(index, 1, 1, 1)
        self._mark_best(rows)
        self.bars.setOpts(height=heights)

    def _item(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(row, column, item)
        return item

    def _mark_best(self, rows: dict[int, dict[int, float | None]]) -> None:
        """Bold the best p50, p99 and rates among the comparable rows (when there are two or more)."""
        if len(rows) < 2:
            return
        for column, best in BEST_COLUMNS.items():
            values = {row: figures[column] for row, figures in rows.items() if figures[column] is not None}
            if len(values) < 2:
                continue
            winner = best(values, key=values.get)
            font = QFont()
            font.setBold(True)
            self._item(winner, column).setFont(font)
