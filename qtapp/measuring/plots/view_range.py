"""Axis ranges that change in steps, not on every frame.

pyqtgraph re-lays out an axis (ticks, text) whenever its range changes; with auto-range on, a live
plot changes range on every update, which costs more than drawing the data. `SteppedRange` keeps
the range until the data leaves it (or shrinks to a small part of it), then jumps with headroom.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

HEADROOM = 1.3
TIME_AXIS_STEPS = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)  # × a power of ten; neighbours ≤ 1.5× apart


def time_axis_span(extent_s: float) -> float:
    """The length of a time axis (from 0) for data up to `extent_s`: the next step of
    TIME_AXIS_STEPS with at least 5 % room, at least 1 s. The data fill two thirds of it or more."""
    needed = max(float(extent_s) * 1.05, 1.0) if math.isfinite(extent_s) else 1.0
    magnitude = 10.0 ** math.floor(math.log10(needed))
    return next(step * magnitude for step in TIME_AXIS_STEPS if step * magnitude >= needed * (1 - 1e-12))


def link_x_by_value(first: pg.PlotItem, second: pg.PlotItem) -> None:
    """Keep two plots' x ranges equal in data values (pyqtgraph's setXLink aligns them by pixels,
    which shifts one plot's range when their left axes differ in width). Pan and zoom follow."""
    def follow(target: pg.PlotItem):
        def apply(_view_box: object, new_range: tuple[float, float]) -> None:
            low, high = new_range
            current = target.getViewBox().viewRange()[0]
            if abs(current[0] - low) > 1e-12 or abs(current[1] - high) > 1e-12:
                target.setXRange(low, high, padding=0)
        return apply

    first.getViewBox().sigXRangeChanged.connect(follow(second))
    second.getViewBox().sigXRangeChanged.connect(follow(first))


class TimeAxisRange:
    """One time axis (0 .. time_axis_span) for the x axes of several plots: plots given the same
    extent show the same range, whatever they were shown before."""

    def __init__(self, *plots: pg.PlotItem) -> None:
        self.plots = plots
        self.span: float | None = None
        for plot in plots:
            plot.enableAutoRange(axis="x", enable=False)

    def show(self, extent_s: float) -> None:
        span = time_axis_span(extent_s)
        if span == self.span:
            return
        self.span = span
        for plot in self.plots:
            plot.setXRange(0.0, span, padding=0)

    def reset(self) -> None:
        self.span = None


class SteppedRange:
    """Manages one axis of a plot; call `include(values)` once per refresh with all visible data.

    Values are in view coordinates: for a log axis, already log10-mapped (as `PlotDataItem.getData`
    returns them); a log axis moves in half decades.
    """

    def __init__(self, plot: pg.PlotItem, axis: str, log: bool = False, floor_at_zero: bool = True) -> None:
        self.plot = plot
        self.axis = axis
        self.log = log
        self.floor_at_zero = floor_at_zero and not log
        self.range: tuple[float, float] | None = None
        plot.enableAutoRange(axis=axis, enable=False)

    def include(self, values: np.ndarray | list[np.ndarray]) -> None:
        arrays = values if isinstance(values, list) else [values]
        finite = [array[np.isfinite(array)] for array in arrays if array is not None and len(array)]
        finite = [array for array in finite if len(array)]
        if not finite:
            return
        low = float(min(array.min() for array in finite))
        high = float(max(array.max() for array in finite))
        if self.floor_at_zero:
            low = min(0.0, low)
        current = self.range
        if current is not None:
            span = current[1] - current[0]
            inside = current[0] <= low and high <= current[1]
            used = (high - low) / span if span > 0 else 1.0
            if inside and (used > 0.25 or self.log):
                return
        if self.log:
            new = (math.floor(low * 2) / 2 - 0.25, math.ceil(high * 2) / 2 + 0.25)
        else:
            top = high + (high - low) * (HEADROOM - 1) if high > low else high + 1
            new = (low if self.floor_at_zero else low - (top - high), top)
        self.range = new
        if self.axis == "x":
            self.plot.setXRange(*new, padding=0)
        else:
            self.plot.setYRange(*new, padding=0)

    def reset(self) -> None:
        self.range = None
