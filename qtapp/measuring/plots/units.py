"""Numbers and durations written with SI units, as a class reads them: 12.3 µs, 4.51 ms, 1.27 s;
600k, 1.2M. Plain Python (no Qt), so the wording is tested on its own."""

from __future__ import annotations

import math


def compact_number(value: float) -> str:
    """600000 -> 600k, 1.2e6 -> 1.2M, 0.25 -> 0.25 (three significant digits at most)."""
    magnitude = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def duration_label(microseconds: float) -> str:
    """A round number of µs written with the clearest unit: 100 µs, 1 ms, 10 s."""
    if microseconds >= 1e6:
        return f"{microseconds / 1e6:g} s"
    if microseconds >= 1e3:
        return f"{microseconds / 1e3:g} ms"
    return f"{microseconds:g} µs"


def format_microseconds(value: float) -> str:
    """A measured duration given in µs, in the unit that keeps it short: 12.3 µs, 845 µs, 4.51 ms,
    1.27 s (never 1,273,977 µs); three significant digits (9.50 s, 1,500 s for longer)."""
    if not math.isfinite(value):
        return "–"
    for limit, divisor, unit in ((1e6, 1e6, "s"), (1e3, 1e3, "ms")):
        if abs(value) >= limit:
            return f"{_three_digits(value / divisor)} {unit}"
    return f"{_three_digits(value)} µs"


def _three_digits(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
