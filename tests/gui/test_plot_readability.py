"""Plots a class can read (issue 9, item 19): SI units, data inside its axes from the first
exchange, percentile labels that say which transport, saved files titled with what they show."""

from __future__ import annotations

import pyqtgraph as pg
import pytest

from qtapp.measuring.plots.units import compact_number, format_microseconds
from tests.gui.helpers import wait_listening


@pytest.mark.parametrize(("microseconds", "text"), [
    (12.34, "12.3 µs"), (845.2, "845 µs"), (4512.0, "4.51 ms"), (99_400.0, "99.4 ms"),
    (1_273_977.0, "1.27 s"), (3.5, "3.50 µs"), (float("nan"), "–")])
def test_durations_are_written_with_si_units(microseconds, text):
    assert format_microseconds(microseconds) == text


def test_large_counts_use_k_and_m():
    assert [compact_number(value) for value in (950, 1500, 600_000, 1_200_000)] == ["950", "1.5k", "600k", "1.2M"]


def _single_exchange(qtbot, window, transport: str, count: int) -> None:
    wait_listening(qtbot, window, transport)
    window.client_panel.count_spin.setValue(count)
    window.single_request(transport)
    qtbot.waitUntil(lambda: transport in window.model.series and window.model.series[transport].completed >= 1
                    and not window.running, timeout=20000)
    window.refresh_plots(force=True)


def _axes(card):
    scene = card.graphics.scene()
    return [item for item in scene.items() if isinstance(item, pg.AxisItem) and item.isVisible()]


def test_after_the_first_exchange_the_data_is_inside_axes_with_units(qtbot, window):
    _single_exchange(qtbot, window, "fifo", 5)
    distribution = window.distribution_plot
    (_x_low, _x_high), (y_low, y_high) = distribution.widget.getPlotItem().getViewBox().viewRange()
    highest = float(distribution.shown_counts.max())
    assert highest >= 1 and y_low <= 0 and highest <= y_high, (highest, y_low, y_high)
    left = distribution.widget.getPlotItem().getAxis("left")
    ticks = [value for level in left.tickValues(y_low, y_high, 300) for value in level[1]]
    assert ticks and all(float(value).is_integer() for value in ticks), f"a count axis with ticks {ticks}"
    for card in window.plot_cards():
        for axis in _axes(card):
            title = axis.label.toPlainText()
            assert "(x" not in title and "e-" not in title, f"{card.title.text()}: axis title {title!r}"
    time_axis = window.latency_time_plot.widget.getPlotItem().getAxis("bottom")
    assert time_axis.labelUnits == "s"  # pyqtgraph writes it as s, ms or µs to fit the range


def test_percentile_labels_say_which_transport_and_are_stacked(qtbot, window):
    _single_exchange(qtbot, window, "tcp", 3)
    window.tabs.setCurrentWidget(window.latency_cdf_plot)
    window.refresh_plots(force=True)
    markers = window.latency_cdf_plot.markers
    texts = [label.textItem.toPlainText() for label in markers.labels.values() if label.isVisible()]
    assert len(texts) == 4 and all(text.startswith("TCP p") for text in texts), texts
    qtbot.waitExposed(window.latency_cdf_plot.widget)

    def stacked() -> bool:  # one row each, none on another, once the shown plot has its size
        rectangles = [label.sceneBoundingRect() for label in markers.labels.values()]
        return all(not rectangle.intersects(other) for index, rectangle in enumerate(rectangles)
                   for other in rectangles[index + 1:])

    qtbot.waitUntil(stacked, timeout=3000)  # one exchange: all four lines at the same place


def test_saved_plots_carry_their_title_and_transport(qtbot, window, tmp_path):
    from PySide6.QtGui import QImage

    _single_exchange(qtbot, window, "fifo", 4)
    card = window.latency_histogram_plot
    title, subtitle = card.export_header()
    assert title.startswith(card.title.text()) and "FIFO" in title and "FIFO" in subtitle
    svg, png = tmp_path / "plot.svg", tmp_path / "plot.png"
    card.save_to(str(svg))
    card.save_to(str(png))
    text = svg.read_text()
    assert "<title>" in text and title in text and subtitle in text
    image = QImage(str(png))
    assert image.width() >= 1600
    header = image.copy(0, 0, image.width() // 2, 120).scaled(400, 60)
    dark = sum(1 for x in range(header.width()) for y in range(header.height())
               if QImage.pixelColor(header, x, y).lightness() < 100)
    assert dark > 50, "the saved PNG has no title above the plot"
