"""Plot axes a class can read: never more tick labels than fit without touching each other (with
presentation fonts on a short plot too), SI units instead of pyqtgraph's "(x0.001)" scale factor,
whole numbers on axes that count things, and log-time axes labelled 1 µs, 10 µs ... 10 s."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

from qtapp.measuring.plots.units import compact_number, duration_label

TICK_GAP = 1.3  # room between two tick labels, in label heights (vertical) or a few characters (horizontal)
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def _nice_at_least(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n that is ≥ value."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in NICE_STEPS if step * power >= value * (1 - 1e-9))


class ReadableAxis(pg.AxisItem):
    """An axis whose major ticks are spaced so that their labels never overlap, and that never shows
    a scale factor in its title. `integer=True`: ticks only at whole numbers (counts)."""

    def __init__(self, orientation: str, integer: bool = False, **keywords) -> None:
        super().__init__(orientation, **keywords)
        self.integer = integer
        self.enableAutoSIPrefix(False)

    def _label_extent(self) -> float:
        """Pixels one tick label needs along the axis, gap included."""
        metrics = QFontMetricsF(self.style.get("tickFont") or self.font())
        if self.orientation in ("left", "right"):
            return metrics.height() * TICK_GAP
        return metrics.horizontalAdvance("0" * 6)

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802, N803 - pyqtgraph's names
        levels = super().tickSpacing(minVal, maxVal, size)
        span = abs(maxVal - minVal)
        if not levels or span == 0 or size <= 0:
            return levels
        most = max(1.5, size / self._label_extent())  # a short plot still gets one labelled tick
        major = max(levels[0][0], _nice_at_least(span / most))
        if self.integer:
            major = max(1.0, round(major))
        minor = [level for level in levels[1:] if level[0] < major and (not self.integer or level[0] >= 1)]
        return [(major, 0.0), *minor[:1]]


class CompactAxis(ReadableAxis):
    """Tick labels like 600k or 1.2M instead of 600000 or 1.2e6."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        return [compact_number(value * scale) for value in values]


class TimeAxis(ReadableAxis):
    """Seconds on a linear axis; the title carries the SI unit pyqtgraph picks (s, ms, µs)."""

    def __init__(self, orientation: str, **keywords) -> None:
        super().__init__(orientation, **keywords)
        self.enableAutoSIPrefix(True)


def set_log_time_ticks(axis: pg.AxisItem) -> None:
    """Decade ticks labelled with units (1 µs, 10 µs, ... 10 s) on a log-mode axis in µs."""
    major = [(float(power), duration_label(10.0 ** power)) for power in range(-1, 8)]
    minor = [(float(np.log10(multiple * 10.0 ** power)), "") for power in range(-1, 8) for multiple in range(2, 10)]
    axis.setTicks([major, minor])
