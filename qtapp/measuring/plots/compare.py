"""Compare: the same workload on FIFO, TCP and Unix socket, overlaid, with a summary table."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qtapp.measuring.model import TRANSPORT_NAMES, TransportSeries
from qtapp.measuring.plots.latency import LatencyCdfPlot
from qtapp.measuring.plots.style import TRANSPORT_COLOURS, PlotCard, style_plot

COLUMNS = (QT_TRANSLATE_NOOP("Compare", "transport"), QT_TRANSLATE_NOOP("Compare", "exchanges"), "p50 (µs)", "p99 (µs)",
           QT_TRANSLATE_NOOP("Compare", "exchanges/s"), QT_TRANSLATE_NOOP("Compare", "numbers/s"), "MB/s",
           QT_TRANSLATE_NOOP("Compare", "errors"))


def summary_row(series: TransportSeries) -> list[str]:
    """One table row from the bench report of a transport's run."""
    report = series.report()
    latency = report["latency_us"]

    def us(value: float | None) -> str:
        return "–" if value is None else f"{value:,.1f}"

    return [TRANSPORT_NAMES[series.transport], f"{report['exchanges']:,}", us(latency["p50"]), us(latency["p99"]),
            f"{report['exchanges_per_s']:,.0f}", f"{report['numbers_per_s']:,.0f}",
            f"{report['value_megabytes_per_s']:,.2f}", f"{report['errors']:,}"]


class CompareView(QWidget):
    """Summary table, the overlaid latency CDFs and a numbers/s bar per transport."""

    def __init__(self) -> None:
        super().__init__()
        self.table = QTableWidget(3, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([QCoreApplication.translate("Compare", column) for column in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setFixedHeight(self.table.horizontalHeader().height() + 3 * 34 + 6)
        for row in range(3):
            self.table.setRowHeight(row, 34)
        self.cdf = LatencyCdfPlot(QCoreApplication.translate("Compare", "Round-trip CDF, all transports"))
        self.rate_widget = pg.PlotWidget()
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
        layout.addWidget(self.table)
        layout.addWidget(plots, 1)
        self._key: tuple = ()

    def refresh(self, all_series: dict[str, TransportSeries], current: TransportSeries | None) -> None:
        key = tuple((id(all_series.get(name)), all_series[name].version if name in all_series else -1)
                    for name in TRANSPORT_COLOURS)
        if key == self._key:
            return
        self._key = key
        self.cdf.refresh(all_series, None)
        heights = np.zeros(3)
        for index, transport in enumerate(TRANSPORT_COLOURS):
            series = all_series.get(transport)
            cells = summary_row(series) if series else [TRANSPORT_NAMES[transport]] + ["–"] * (len(COLUMNS) - 1)
            for column, text in enumerate(cells):
                item = self.table.item(index, column)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.table.setItem(index, column, item)
                item.setText(text)
            if series is not None:
                heights[index] = series.report()["numbers_per_s"]
        self.bars.setOpts(height=heights)
