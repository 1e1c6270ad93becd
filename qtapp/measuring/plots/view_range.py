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
