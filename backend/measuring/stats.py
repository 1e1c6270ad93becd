"""Bounded-memory statistics for huge runs: value histograms, chi-square, latencies, rates.

A run may return 10^9 numbers, so nothing here keeps the samples: every accumulator holds a
fixed-size numpy array (or a few scalars) whose size never grows with the number of values added.
Large inputs are processed in chunks so that temporary arrays stay small as well.

* `ValueHistogram` counts returned integers in [lo, hi] (one bin per value, or equal-width bins
  when the range is wide) and tests them against a uniform distribution with `chi_square()`.
* `chi_square_survival` is the chi-square upper tail probability, in pure Python (no scipy).
* `LatencyHistogram` is a log-bucketed (HdrHistogram-like) histogram of durations in nanoseconds
  with exact count, min, max and sum; `summarize_latency` turns it into the `latency_us` object
  of `ipclab bench --json`.
* `RunningRate` gives a rate over a sliding time window from cumulative count samples.

Pure Python + numpy; never imports Qt.
"""

from __future__ import annotations

import math
import operator
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
_INT64_MAX = 2**63 - 1

# Elements processed per step inside add(): keeps temporaries to a few MB whatever the input size.
_CHUNK = 1 << 20


def _as_integer_array(values: np.ndarray | Iterable[int]) -> np.ndarray:
    """Return `values` as a 1-D int64 array; any integer dtype and byte order is accepted.

    uint64 values above the int64 range are clamped to INT64_MAX (still "out of range" for
    every int32 interval), so they cannot wrap around into range.
    """
    arr = np.asarray(values)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"expected an integer array, got dtype {arr.dtype}")
    arr = arr.ravel()
    if arr.dtype.kind == "u" and arr.dtype.itemsize == 8:
        arr = np.minimum(arr, np.uint64(_INT64_MAX))
    return arr.astype(np.int64, copy=False)


def _chunks(arr: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, arr.size, _CHUNK):
        yield arr[start : start + _CHUNK]


# --------------------------------------------------------------------------------------------
# Chi-square survival function
# --------------------------------------------------------------------------------------------

_EPS = 1e-15
_TINY = 1e-300


def _log_prefactor(a: float, x: float) -> float:
    """log(x^a * e^-x / Gamma(a)), computed without cancellation when a is large and x ~ a."""
    if a < 10.0:
        return a * math.log(x) - x - math.lgamma(a)
    # Stirling: lgamma(a) = (a - 1/2) log a - a + log(2 pi)/2 + stirlerr(a), so the prefactor is
    # a*(log1p(t) - t) + log(a)/2 - log(2 pi)/2 - stirlerr(a) with t = (x - a)/a.
    inv = 1.0 / a
    inv2 = inv * inv
    stirlerr = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680))))
    t = (x - a) / a
    # a*(log(x/a) - t) is a*(log1p(t) - t); log1p avoids cancellation near x ~ a.
    log_ratio = math.log1p(t) if t > -0.5 else math.log(x) - math.log(a)
    return a * (log_ratio - t) + 0.5 * math.log(a / (2.0 * math.pi)) - stirlerr


def _max_iterations(a: float) -> int:
    # Both expansions need O(sqrt(a)) terms near x ~ a; be generous.
    return 1000 + int(50.0 * math.sqrt(a))


def _lower_gamma_series(a: float, x: float) -> float:
    """Regularized lower incomplete gamma P(a, x) by its series (use for x < a + 1)."""
    term = 1.0 / a
    total = term
    ap = a
    for _ in range(_max_iterations(a)):
        ap += 1.0
        term *= x / ap
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    else:
        raise ArithmeticError(f"gamma series did not converge for a={a}, x={x}")
    return total * math.exp(_log_prefactor(a, x))


def _upper_gamma_continued_fraction(a: float, x: float) -> float:
    """Regularized upper incomplete gamma Q(a, x) by its continued fraction (x >= a + 1).

    Modified Lentz evaluation, as in Numerical Recipes' gcf.
    """
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _max_iterations(a) + 1):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < _TINY:
            d = _TINY
        c = b + an / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    else:
        raise ArithmeticError(f"gamma continued fraction did not converge for a={a}, x={x}")
    return math.exp(_log_prefactor(a, x)) * h


def regularized_upper_gamma(a: float, x: float) -> float:
    """Q(a, x) = Gamma(a, x) / Gamma(a) for a > 0, x >= 0."""
    if not a > 0.0:
        raise ValueError(f"a must be > 0, got {a}")
    if math.isnan(x):
        return math.nan
    if x <= 0.0:
        return 1.0
    if math.isinf(x):
        return 0.0
    if x < a + 1.0:
        return 1.0 - _lower_gamma_series(a, x)
    return _upper_gamma_continued_fraction(a, x)


def chi_square_survival(statistic: float, degrees_of_freedom: int) -> float:
    """P(X >= statistic) for X chi-square distributed with `degrees_of_freedom` (>= 1).

    Equal to Q(k/2, x/2), the regularized upper incomplete gamma function, evaluated with a series
    (x < a + 1) or a continued fraction (otherwise). Relative accuracy is about 1e-10 or better for
    degrees of freedom up to 10^5. A statistic <= 0 gives 1.0; NaN gives NaN.
    """
    dof = operator.index(degrees_of_freedom)
    if dof < 1:
        raise ValueError(f"degrees_of_freedom must be >= 1, got {dof}")
    return regularized_upper_gamma(0.5 * dof, 0.5 * float(statistic))


@dataclass(frozen=True)
class ChiSquareResult:
    """Pearson's chi-square goodness-of-fit test result."""

    statistic: float
    degrees_of_freedom: int
    p_value: float


# --------------------------------------------------------------------------------------------
# Value histogram
# --------------------------------------------------------------------------------------------


class ValueHistogram:
    """Counts of integer values in [lo, hi] (within int32), with bounded memory.

    If the range holds at most `max_bins` integers there is one bin per value. Otherwise each bin
    covers `width = ceil((hi - lo + 1) / max_bins)` consecutive integers; the last bin may cover
    fewer, and there are `ceil((hi - lo + 1) / width)` bins, which is at most `max_bins` (exactly
    `max_bins` whenever the range is a multiple of it, e.g. the full int32 range).

    `total` counts the values that fell in [lo, hi]; values outside it are only counted in
    `out_of_range`.
    """

    def __init__(self, lo: int, hi: int, max_bins: int = 4096) -> None:
        lo, hi, max_bins = operator.index(lo), operator.index(hi), operator.index(max_bins)
        if not INT32_MIN <= lo <= hi <= INT32_MAX:
            raise ValueError(f"need INT32_MIN <= lo <= hi <= INT32_MAX, got lo={lo}, hi={hi}")
        if max_bins < 1:
            raise ValueError(f"max_bins must be >= 1, got {max_bins}")
        self.lo = lo
        self.hi = hi
        self.max_bins = max_bins
        self.span = hi - lo + 1  # number of integers in [lo, hi]; up to 2**32
        self.bin_width = 1 if self.span <= max_bins else -(-self.span // max_bins)
        self.num_bins = -(-self.span // self.bin_width)
        self.counts = np.zeros(self.num_bins, dtype=np.int64)
        self.out_of_range = 0

    @property
    def one_bin_per_value(self) -> bool:
        return self.bin_width == 1

    @property
    def bin_edges(self) -> np.ndarray:
        """int64 array of len bins+1: each bin's lowest integer, then hi + 1."""
        edges = self.lo + np.arange(self.num_bins + 1, dtype=np.int64) * self.bin_width
        edges[-1] = self.hi + 1
        return edges

    @property
    def values_per_bin(self) -> np.ndarray:
        """int64 array: how many integers each bin covers."""
        return np.diff(self.bin_edges)

    @property
    def total(self) -> int:
        """Number of counted values inside [lo, hi]."""
        return int(self.counts.sum())

    def add(self, values: np.ndarray | Iterable[int]) -> None:
        """Count `values` (any integer dtype or byte order, e.g. '>i4' straight off the wire)."""
        if (isinstance(values, np.ndarray) and values.dtype.kind == "i" and values.dtype.itemsize == 4
                and self.bin_width == 1 and self._add_in_range_int32(values)):
            return
        arr = _as_integer_array(values)
        span = np.uint64(self.span)
        for chunk in _chunks(arr):
            offsets = chunk - np.int64(self.lo)  # no overflow: chunk is int64, |lo| < 2**31
            # One unsigned comparison checks 0 <= offset < span (negatives wrap to huge values).
            inside = offsets.view(np.uint64) < span
            if not inside.all():
                offsets = offsets[inside]
                self.out_of_range += int(chunk.size - offsets.size)
            if self.bin_width != 1:
                offsets //= self.bin_width
            self.counts += np.bincount(offsets, minlength=self.num_bins)

    def _add_in_range_int32(self, values: np.ndarray) -> bool:
        """Fast path for the common case (int32 values, one bin per value, nothing out of range):
        a byte-order conversion, min/max and one bincount; returns False to use the general path."""
        native = values.astype(np.int32, copy=False).ravel()
        if native.size == 0:
            return True
        if native.min() < self.lo or native.max() > self.hi:
            return False
        if 0 <= self.lo and self.hi < 65_536:
            self.counts += np.bincount(native, minlength=self.hi + 1)[self.lo:]
        else:
            self.counts += np.bincount(native - np.int32(self.lo), minlength=self.num_bins)
        return True

    def _check_compatible(self, other: ValueHistogram) -> None:
        if (self.lo, self.hi, self.num_bins) != (other.lo, other.hi, other.num_bins):
            raise ValueError("cannot merge histograms with different lo/hi/bins")

    def merge(self, other: ValueHistogram) -> None:
        """Add the counts of `other` (same lo, hi and bins) into this histogram."""
        self._check_compatible(other)
        self.counts += other.counts
        self.out_of_range += other.out_of_range

    def copy(self) -> ValueHistogram:
        new = ValueHistogram(self.lo, self.hi, self.max_bins)
        new.counts = self.counts.copy()
        new.out_of_range = self.out_of_range
        return new

    def expected_per_bin(self) -> np.ndarray:
        """float64 counts expected per bin if the `total` values were uniform on [lo, hi]."""
        return self.total * self.values_per_bin.astype(np.float64) / float(self.span)

    def chi_square(self) -> ChiSquareResult:
        """Pearson chi-square test of the counts against a uniform distribution on [lo, hi].

        Degrees of freedom are bins - 1. When there is nothing to test (total == 0, or a single
        bin) the result is statistic 0.0, degrees of freedom 0 and p-value 1.0.
        """
        total = self.total
        if total == 0 or self.num_bins < 2:
            return ChiSquareResult(0.0, 0, 1.0)
        expected = self.expected_per_bin()
        statistic = float(np.sum((self.counts - expected) ** 2 / expected))
        dof = self.num_bins - 1
        return ChiSquareResult(statistic, dof, chi_square_survival(statistic, dof))


# --------------------------------------------------------------------------------------------
# Latency histogram
# --------------------------------------------------------------------------------------------

_BUCKETS_PER_DECADE = 240  # bucket ratio 10**(1/240) ~= 1.00964: under 1% wide
_DECADES = 12  # 1 ns .. 10**12 ns (1000 s)
_NUM_BUCKETS = _BUCKETS_PER_DECADE * _DECADES


def _exact_int_sum(arr: np.ndarray) -> int:
    """Exact sum of an int64 array of at most 2**31 elements (no int64 overflow)."""
    high = arr >> 32  # arithmetic shift: in [-2**31, 2**31)
    low = arr & 0xFFFFFFFF  # in [0, 2**32)
    return (int(high.sum()) << 32) + int(low.sum())


class LatencyHistogram:
    """Log-bucketed histogram of durations in nanoseconds (HdrHistogram-like), bounded memory.

    2880 geometric buckets, 240 per decade (each under 1% wide), cover 1 ns .. 10**12 ns
    (1000 s); bucket i holds [edge[i], edge[i+1]). Values below 1 ns (including <= 0) go to the
    first bucket and values of 1000 s or more to the last. Count, min, max and sum are exact
    (the sum is a Python int while only integers have been added).
    """

    def __init__(self) -> None:
        self.counts = np.zeros(_NUM_BUCKETS, dtype=np.int64)
        self.count = 0
        self.min_ns: float = math.inf
        self.max_ns: float = -math.inf
        self.sum_ns: int | float = 0

    @property
    def bucket_edges_ns(self) -> np.ndarray:
        """float64 array of len buckets+1: 10**(i/240) ns for i = 0 .. 2880."""
        return 10.0 ** (np.arange(_NUM_BUCKETS + 1) / _BUCKETS_PER_DECADE)

    @property
    def mean_ns(self) -> float:
        return self.sum_ns / self.count if self.count else math.nan

    def add(self, durations_ns: np.ndarray | Iterable[float]) -> None:
        """Record durations in nanoseconds (any integer or float array)."""
        arr = np.asarray(durations_ns).ravel()
        if arr.size == 0:
            return
        if arr.dtype.kind in "iu":
            arr = _as_integer_array(arr)
        elif arr.dtype.kind == "f":
            arr = arr.astype(np.float64, copy=False)
            if np.isnan(arr).any():
                raise ValueError("durations must not be NaN")
        else:
            raise TypeError(f"expected a numeric array, got dtype {arr.dtype}")
        for chunk in _chunks(arr):
            idx = np.floor(np.log10(np.maximum(chunk, 1)) * _BUCKETS_PER_DECADE)
            idx = np.clip(idx, 0, _NUM_BUCKETS - 1).astype(np.intp)
            self.counts += np.bincount(idx, minlength=_NUM_BUCKETS)
            lo, hi = chunk.min().item(), chunk.max().item()
            self.min_ns = min(self.min_ns, lo)
            self.max_ns = max(self.max_ns, hi)
            if chunk.dtype.kind == "f":
                self.sum_ns += float(chunk.sum())
            else:
                self.sum_ns += _exact_int_sum(chunk)
            self.count += int(chunk.size)

    def merge(self, other: LatencyHistogram) -> None:
        """Add everything recorded in `other` into this histogram."""
        self.counts += other.counts
        self.count += other.count
        self.min_ns = min(self.min_ns, other.min_ns)
        self.max_ns = max(self.max_ns, other.max_ns)
        self.sum_ns += other.sum_ns

    def copy(self) -> LatencyHistogram:
        new = LatencyHistogram()
        new.counts = self.counts.copy()
        new.count, new.min_ns, new.max_ns, new.sum_ns = (
            self.count,
            self.min_ns,
            self.max_ns,
            self.sum_ns,
        )
        return new

    def percentile(self, q: float) -> float:
        """Approximate q-th percentile (0 <= q <= 100) in ns; NaN when empty.

        The rank is that of numpy's method="inverted_cdf" (the ceil(count * q/100)-th smallest
        value); the result is the geometric midpoint of the bucket holding it, clamped to
        [min_ns, max_ns], so within about 0.5% of the exact value for durations in 1 ns .. 1000 s.
        q == 0 gives min_ns and q == 100 gives max_ns exactly.
        """
        q = float(q)
        if not 0.0 <= q <= 100.0:
            raise ValueError(f"percentile must be in [0, 100], got {q}")
        if self.count == 0:
            return math.nan
        if q == 0.0:
            return float(self.min_ns)
        if q == 100.0:
            return float(self.max_ns)
        rank = min(max(math.ceil(self.count * (q / 100.0)), 1), self.count)
        bucket = int(np.searchsorted(np.cumsum(self.counts), rank, side="left"))
        midpoint = 10.0 ** ((bucket + 0.5) / _BUCKETS_PER_DECADE)
        return float(min(max(midpoint, self.min_ns), self.max_ns))

    def percentiles(self, qs: Iterable[float]) -> dict[float, float]:
        return {float(q): self.percentile(q) for q in qs}

    def cdf(self) -> tuple[np.ndarray, np.ndarray]:
        """(upper bucket edge in ns, cumulative fraction) over the non-empty bucket range.

        Both arrays are empty when nothing has been recorded; the last fraction is 1.0.
        """
        nonzero = np.flatnonzero(self.counts)
        if nonzero.size == 0:
            return np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.float64)
        first, last = int(nonzero[0]), int(nonzero[-1])
        upper = self.bucket_edges_ns[first + 1 : last + 2]
        fraction = np.cumsum(self.counts[first : last + 1]) / float(self.count)
        return upper, fraction


_SUMMARY_PERCENTILES = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p99.9": 99.9}


def summarize_latency(histogram: LatencyHistogram) -> dict[str, int | float | None]:
    """The `latency_us` object of `ipclab bench --json`: count, then times in microseconds.

    Keys: count (int), min, mean, p50, p90, p99, p99.9, max (floats, or None when empty).
    """

    def us(ns: float) -> float | None:
        return None if math.isnan(ns) else float(ns) / 1000.0

    empty = histogram.count == 0
    summary: dict[str, int | float | None] = {"count": histogram.count}
    summary["min"] = None if empty else us(histogram.min_ns)
    summary["mean"] = us(histogram.mean_ns)
    for key, q in _SUMMARY_PERCENTILES.items():
        summary[key] = us(histogram.percentile(q))
    summary["max"] = None if empty else us(histogram.max_ns)
    return summary


# --------------------------------------------------------------------------------------------
# Running rate
# --------------------------------------------------------------------------------------------


class RunningRate:
    """Rate (count per second) over a sliding window of the last `window_s` seconds.

    Fed with (time_s, cumulative_count) samples with non-decreasing times. Keeps at most
    `max_samples` samples (older ones are dropped first), so memory is bounded even when samples
    arrive very often; one sample at or before the window start is kept so the rate spans the
    whole window.
    """

    def __init__(self, window_s: float = 1.0, max_samples: int = 4096) -> None:
        if not window_s > 0:
            raise ValueError(f"window_s must be > 0, got {window_s}")
        if max_samples < 2:
            raise ValueError(f"max_samples must be >= 2, got {max_samples}")
        self.window_s = float(window_s)
        self._samples: deque[tuple[float, float]] = deque(maxlen=max_samples)

    def add(self, time_s: float, cumulative: float) -> None:
        time_s = float(time_s)
        if self._samples and time_s < self._samples[-1][0]:
            raise ValueError("sample times must be non-decreasing")
        self._samples.append((time_s, float(cumulative)))
        start = time_s - self.window_s
        while len(self._samples) >= 2 and self._samples[1][0] <= start:
            self._samples.popleft()

    def rate(self) -> float:
        """Counts per second between the oldest kept and the newest sample; 0.0 without data."""
        if len(self._samples) < 2:
            return 0.0
        (t0, c0), (t1, c1) = self._samples[0], self._samples[-1]
        if t1 <= t0:
            return 0.0
        return (c1 - c0) / (t1 - t0)

    def reset(self) -> None:
        self._samples.clear()
