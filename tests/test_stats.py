"""Tests for backend.measuring.stats: histograms, chi-square, latency percentiles, running rate."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.measuring.stats import (
    INT32_MAX,
    INT32_MIN,
    ChiSquareResult,
    LatencyHistogram,
    RunningRate,
    ValueHistogram,
    chi_square_survival,
    summarize_latency,
)

FAST = settings(max_examples=60, deadline=None)


# --------------------------------------------------------------------------------------------
# ValueHistogram
# --------------------------------------------------------------------------------------------


def naive_bins(hist: ValueHistogram, values: list[int]) -> tuple[Counter[int], int]:
    """Reference: bin index -> count, and the out-of-range count, by plain Python."""
    counter: Counter[int] = Counter()
    outside = 0
    for v in values:
        if hist.lo <= v <= hist.hi:
            counter[(v - hist.lo) // hist.bin_width] += 1
        else:
            outside += 1
    return counter, outside


def assert_matches_naive(hist: ValueHistogram, values: list[int]) -> None:
    counter, outside = naive_bins(hist, values)
    expected = np.zeros(hist.num_bins, dtype=np.int64)
    for b, c in counter.items():
        expected[b] = c
    np.testing.assert_array_equal(hist.counts, expected)
    assert hist.out_of_range == outside
    assert hist.total == len(values) - outside


@FAST
@given(
    lo=st.integers(-50, 50),
    size=st.integers(1, 40),
    values=st.lists(st.integers(-100, 100), max_size=200),
)
def test_one_bin_per_value_matches_counter(lo: int, size: int, values: list[int]) -> None:
    hist = ValueHistogram(lo, lo + size - 1, max_bins=64)
    hist.add(np.array(values, dtype=np.int32))
    assert hist.one_bin_per_value
    assert hist.num_bins == size
    expected = Counter(v for v in values if lo <= v <= lo + size - 1)
    assert {lo + i: int(c) for i, c in enumerate(hist.counts) if c} == dict(expected)
    assert_matches_naive(hist, values)


@FAST
@given(
    lo=st.integers(INT32_MIN, INT32_MAX - 10_000),
    span=st.integers(2, 10_000),
    max_bins=st.integers(1, 50),
    data=st.data(),
)
def test_binned_mode_matches_counter(
    lo: int, span: int, max_bins: int, data: st.DataObject
) -> None:
    hi = lo + span - 1
    hist = ValueHistogram(lo, hi, max_bins=max_bins)
    values = data.draw(st.lists(st.integers(lo - 20, hi + 20), max_size=200))
    hist.add(np.array(values, dtype=np.int64))
    assert hist.num_bins <= max_bins
    assert hist.one_bin_per_value == (span <= max_bins)
    edges = hist.bin_edges
    assert edges.dtype == np.int64 and len(edges) == hist.num_bins + 1
    assert edges[0] == lo and edges[-1] == hi + 1
    vpb = hist.values_per_bin
    assert vpb.dtype == np.int64 and vpb.sum() == span
    assert np.all(vpb[:-1] == hist.bin_width) and 1 <= vpb[-1] <= hist.bin_width
    assert_matches_naive(hist, values)
    # Every counted value lies within its bin's edges.
    for v in values:
        if lo <= v <= hi:
            b = (v - lo) // hist.bin_width
            assert edges[b] <= v < edges[b + 1]


def test_binned_mode_random_array_large() -> None:
    rng = np.random.default_rng(1)
    values = rng.integers(-1_000_000, 1_000_000, size=50_000)
    hist = ValueHistogram(-900_000, 900_000, max_bins=1000)
    hist.add(values)
    assert not hist.one_bin_per_value
    assert_matches_naive(hist, values.tolist())


def test_big_endian_input() -> None:
    rng = np.random.default_rng(2)
    native = rng.integers(-30, 30, size=5000, dtype=np.int32)
    wire = native.astype(">i4")
    assert wire.dtype.byteorder == ">"
    a, b = ValueHistogram(-20, 20), ValueHistogram(-20, 20)
    a.add(native)
    b.add(wire)
    np.testing.assert_array_equal(a.counts, b.counts)
    assert a.out_of_range == b.out_of_range
    assert_matches_naive(b, native.tolist())


@pytest.mark.parametrize(
    "dtype", [np.int8, np.uint8, np.int16, np.uint16, np.uint32, np.int64, ">u2", "<i8"]
)
def test_other_integer_dtypes(dtype: object) -> None:
    values = np.array([0, 1, 2, 3, 100, 5], dtype=dtype)
    hist = ValueHistogram(1, 5)
    hist.add(values)
    np.testing.assert_array_equal(hist.counts, [1, 1, 1, 0, 1])
    assert hist.out_of_range == 2


def test_huge_uint64_does_not_wrap_into_range() -> None:
    hist = ValueHistogram(-5, 5)
    hist.add(np.array([2**64 - 1, 2**63, 3], dtype=np.uint64))
    assert hist.out_of_range == 2
    assert hist.total == 1


def test_rejects_non_integers() -> None:
    hist = ValueHistogram(1, 10)
    with pytest.raises(TypeError):
        hist.add(np.array([1.5, 2.0]))
    hist.add(np.array([], dtype=np.float64))  # empty is fine
    hist.add([])
    assert hist.total == 0


def test_full_int32_range() -> None:
    hist = ValueHistogram(INT32_MIN, INT32_MAX)
    assert hist.num_bins == 4096 and hist.bin_width == 2**20
    assert int(hist.values_per_bin.sum()) == 2**32
    assert hist.bin_edges[0] == INT32_MIN and hist.bin_edges[-1] == INT32_MAX + 1
    values = np.array(
        [INT32_MIN, INT32_MIN + 2**20 - 1, INT32_MIN + 2**20, -1, 0, INT32_MAX], dtype=">i4"
    )
    hist.add(values)
    assert hist.out_of_range == 0 and hist.total == 6
    assert hist.counts[0] == 2 and hist.counts[1] == 1
    assert hist.counts[2047] == 1 and hist.counts[2048] == 1 and hist.counts[4095] == 1
    hist.add(np.array([INT32_MIN - 1, INT32_MAX + 1, 2**40], dtype=np.int64))
    assert hist.out_of_range == 3 and hist.total == 6
    # One bin per value is possible up to the int32 extremes too.
    edge = ValueHistogram(INT32_MAX - 3, INT32_MAX)
    edge.add(np.array([INT32_MAX, INT32_MAX, INT32_MIN, INT32_MAX - 3], dtype=np.int32))
    np.testing.assert_array_equal(edge.counts, [1, 0, 0, 2])
    assert edge.out_of_range == 1


def test_invalid_construction() -> None:
    with pytest.raises(ValueError):
        ValueHistogram(5, 4)
    with pytest.raises(ValueError):
        ValueHistogram(INT32_MIN - 1, 0)
    with pytest.raises(ValueError):
        ValueHistogram(0, INT32_MAX + 1)
    with pytest.raises(ValueError):
        ValueHistogram(0, 10, max_bins=0)


@FAST
@given(
    a=st.lists(st.integers(-10, 300), max_size=100),
    b=st.lists(st.integers(-10, 300), max_size=100),
    max_bins=st.sampled_from([7, 4096]),
)
def test_merge_equals_adding_both(a: list[int], b: list[int], max_bins: int) -> None:
    ha, hb, both = (ValueHistogram(0, 255, max_bins) for _ in range(3))
    ha.add(np.array(a, dtype=np.int64))
    hb.add(np.array(b, dtype=np.int64))
    both.add(np.array(a + b, dtype=np.int64))
    merged = ha.copy()
    merged.merge(hb)
    np.testing.assert_array_equal(merged.counts, both.counts)
    assert merged.out_of_range == both.out_of_range
    assert merged.total == both.total
    # copy() is independent of the original.
    assert ha.total == sum(0 <= v <= 255 for v in a)


def test_merge_incompatible_raises() -> None:
    with pytest.raises(ValueError):
        ValueHistogram(0, 10).merge(ValueHistogram(0, 11))
    with pytest.raises(ValueError):
        ValueHistogram(0, 100, max_bins=10).merge(ValueHistogram(0, 100, max_bins=20))


def test_expected_per_bin() -> None:
    hist = ValueHistogram(1, 10, max_bins=4)  # widths 3, 3, 3, 1
    np.testing.assert_array_equal(hist.values_per_bin, [3, 3, 3, 1])
    hist.add(np.arange(1, 11).repeat(7))
    expected = hist.expected_per_bin()
    assert expected.dtype == np.float64
    np.testing.assert_allclose(expected, [21.0, 21.0, 21.0, 7.0])


@pytest.mark.parametrize("lo,hi,max_bins", [(1, 10, 4096), (1, 10, 4), (-1000, 1000, 64)])
def test_chi_square_perfectly_uniform(lo: int, hi: int, max_bins: int) -> None:
    hist = ValueHistogram(lo, hi, max_bins)
    hist.add(np.arange(lo, hi + 1).repeat(5))
    result = hist.chi_square()
    assert isinstance(result, ChiSquareResult)
    assert result.statistic == pytest.approx(0.0, abs=1e-12)
    assert result.degrees_of_freedom == hist.num_bins - 1
    assert result.p_value == pytest.approx(1.0)


def test_chi_square_skewed() -> None:
    hist = ValueHistogram(1, 10)
    hist.add(np.concatenate([np.arange(1, 11).repeat(100), np.full(300, 7)]))
    result = hist.chi_square()
    assert result.degrees_of_freedom == 9
    assert result.p_value < 1e-6


def test_chi_square_seeded_uniform_data_passes() -> None:
    rng = np.random.default_rng(12345)
    for lo, hi in [(1, 10), (0, 999), (INT32_MIN, INT32_MAX)]:
        hist = ValueHistogram(lo, hi)
        hist.add(rng.integers(lo, hi, size=200_000, endpoint=True, dtype=np.int64).astype(">i4"))
        assert hist.out_of_range == 0
        assert hist.chi_square().p_value > 0.001


def test_chi_square_degenerate_cases() -> None:
    assert ValueHistogram(1, 10).chi_square() == ChiSquareResult(0.0, 0, 1.0)
    single = ValueHistogram(5, 5)
    single.add(np.array([5, 5, 5]))
    assert single.chi_square() == ChiSquareResult(0.0, 0, 1.0)
    one_wide_bin = ValueHistogram(0, 100, max_bins=1)
    one_wide_bin.add(np.array([1, 2, 3]))
    assert one_wide_bin.chi_square() == ChiSquareResult(0.0, 0, 1.0)


def test_chi_square_result_is_frozen() -> None:
    result = ChiSquareResult(1.0, 2, 0.5)
    with pytest.raises(AttributeError):
        result.statistic = 2.0  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# chi_square_survival
# --------------------------------------------------------------------------------------------


def _logsumexp(logs: list[float]) -> float:
    m = max(logs)
    return m + math.log(math.fsum(math.exp(v - m) for v in logs))


def reference_q_even(dof: int, x: float) -> float:
    """Closed form for even dof: exp(-x/2) * sum_{i < dof/2} (x/2)^i / i!, in log space."""
    y = x / 2
    logs = [i * math.log(y) - y - math.lgamma(i + 1) for i in range(dof // 2)]
    return math.exp(_logsumexp(logs))


def reference_q_odd(dof: int, x: float) -> float:
    """Closed form for odd dof, y = x/2:

    erfc(sqrt(y)) + sum_{i=1}^{(dof-1)/2} e^-y y^(i-1/2) / Gamma(i+1/2), in log space.
    """
    y = x / 2
    tail = math.erfc(math.sqrt(y))
    if dof == 1:
        return tail
    logs = [
        (i - 0.5) * math.log(y) - y - math.lgamma(i + 0.5) for i in range(1, (dof - 1) // 2 + 1)
    ]
    return tail + math.exp(_logsumexp(logs))


def test_chi_square_survival_textbook_quantiles() -> None:
    assert chi_square_survival(3.841458820694124, 1) == pytest.approx(0.05, rel=1e-10)
    assert chi_square_survival(16.918977604620448, 9) == pytest.approx(0.05, rel=1e-10)
    assert chi_square_survival(6.6348966010212145, 1) == pytest.approx(0.01, rel=1e-10)


@pytest.mark.parametrize("x", [1e-6, 0.1, 1.0, 2.0, 2.9, 3.0, 10.0, 50.0, 700.0, 1400.0])
def test_chi_square_survival_dof2_is_exponential(x: float) -> None:
    assert chi_square_survival(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-12)


def survival_cases(dofs: list[int]) -> list[tuple[int, float]]:
    """(dof, x) pairs from the bulk to the far tail (z up to 25 standard deviations)."""
    cases = []
    for dof in dofs:
        cases += [(dof, dof * ratio) for ratio in (0.05, 0.5, 0.9, 0.999, 1.0, 1.02)]
        cases += [(dof, dof + z * math.sqrt(2 * dof)) for z in (3.0, 10.0, 25.0)]
    return cases


@pytest.mark.parametrize("dof,x", survival_cases([4, 10, 100, 1000, 4096, 100_000]))
def test_chi_square_survival_even_dof(dof: int, x: float) -> None:
    assert chi_square_survival(x, dof) == pytest.approx(reference_q_even(dof, x), rel=1e-10)


@pytest.mark.parametrize("dof,x", survival_cases([1, 3, 9, 101, 4095, 99_999]))
def test_chi_square_survival_odd_dof(dof: int, x: float) -> None:
    assert chi_square_survival(x, dof) == pytest.approx(reference_q_odd(dof, x), rel=1e-10)


def test_chi_square_survival_dof4095_at_mean() -> None:
    # Just below 1/2 because the median of chi-square(k) is about k - 2/3.
    value = chi_square_survival(4095.0, 4095)
    assert value == pytest.approx(reference_q_odd(4095, 4095.0), rel=1e-10)
    assert value == pytest.approx(0.49706, abs=1e-5)


def test_chi_square_survival_edges() -> None:
    assert chi_square_survival(0.0, 5) == 1.0
    assert chi_square_survival(-3.0, 5) == 1.0
    assert chi_square_survival(math.inf, 5) == 0.0
    assert math.isnan(chi_square_survival(math.nan, 5))
    with pytest.raises(ValueError):
        chi_square_survival(1.0, 0)


@FAST
@given(dof=st.integers(1, 3000), x=st.floats(0.0, 10_000.0))
def test_chi_square_survival_is_a_probability_and_monotone(dof: int, x: float) -> None:
    q = chi_square_survival(x, dof)
    assert 0.0 <= q <= 1.0
    assert chi_square_survival(x * 1.01 + 0.01, dof) <= q + 1e-15


# --------------------------------------------------------------------------------------------
# LatencyHistogram
# --------------------------------------------------------------------------------------------

QS = [0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 100]


def lognormal_ns(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.rint(rng.lognormal(mean=math.log(50_000), sigma=1.5, size=n)).astype(np.int64) + 1


def test_bucket_layout() -> None:
    hist = LatencyHistogram()
    edges = hist.bucket_edges_ns
    assert len(edges) == len(hist.counts) + 1
    assert edges[0] == pytest.approx(1.0) and edges[-1] == pytest.approx(1e12)
    assert np.all(edges[1:] / edges[:-1] <= 1.01)
    assert hist.counts.dtype == np.int64 and len(hist.counts) < 5000


def test_percentiles_match_numpy_on_lognormal() -> None:
    data = lognormal_ns(200_000, seed=3)
    hist = LatencyHistogram()
    hist.add(data[:123_457])
    hist.add(data[123_457:])
    assert hist.count == data.size
    assert hist.min_ns == int(data.min()) and hist.max_ns == int(data.max())
    assert hist.sum_ns == int(data.sum())
    assert hist.mean_ns == pytest.approx(float(data.mean()), rel=1e-12)
    for q in QS:
        ref = float(np.percentile(data, q, method="inverted_cdf"))
        assert hist.percentile(q) == pytest.approx(ref, rel=0.01), q
    assert hist.percentile(0) == data.min() and hist.percentile(100) == data.max()
    result = hist.percentiles([50, 99.9])
    assert list(result) == [50.0, 99.9]
    assert result[50.0] == hist.percentile(50)


@FAST
@given(
    values=st.lists(st.floats(1.0, 1e11), min_size=1, max_size=50),
    q=st.floats(0.0, 100.0),
)
def test_percentiles_small_arrays(values: list[float], q: float) -> None:
    data = np.array(values)
    hist = LatencyHistogram()
    hist.add(data)
    ref = float(np.percentile(data, q, method="inverted_cdf"))
    assert hist.percentile(q) == pytest.approx(ref, rel=0.01)
    assert hist.min_ns == data.min() and hist.max_ns == data.max()


@FAST
@given(values=st.lists(st.integers(1, 10**12), min_size=1, max_size=50), q=st.sampled_from(QS))
def test_percentiles_small_integer_arrays(values: list[int], q: float) -> None:
    data = np.array(values, dtype=np.int64)
    hist = LatencyHistogram()
    hist.add(data)
    ref = float(np.percentile(data, q, method="inverted_cdf"))
    assert hist.percentile(q) == pytest.approx(ref, rel=0.01)
    assert hist.sum_ns == sum(values)


def test_out_of_range_durations() -> None:
    hist = LatencyHistogram()
    hist.add(np.array([0, -5, 10**15], dtype=np.int64))
    assert hist.counts[0] == 2 and hist.counts[-1] == 1
    assert hist.min_ns == -5 and hist.max_ns == 10**15
    assert hist.percentile(0) == -5 and hist.percentile(100) == 10**15
    # Clamped to [min, max] even when the bucket midpoint lies outside it.
    zeros = LatencyHistogram()
    zeros.add(np.zeros(10, dtype=np.int64))
    assert zeros.percentile(50) == 0.0


def test_exact_sum_of_large_integers() -> None:
    hist = LatencyHistogram()
    big = np.full(100, 2**62, dtype=np.int64)
    hist.add(big)
    assert hist.sum_ns == 100 * 2**62
    hist.add(np.array([2**64 - 1], dtype=np.uint64))  # clamped to int64 max
    assert hist.max_ns == 2**63 - 1


def test_empty_latency_histogram() -> None:
    hist = LatencyHistogram()
    hist.add(np.array([], dtype=np.int64))
    assert hist.count == 0
    assert math.isnan(hist.percentile(50))
    assert math.isnan(hist.percentile(0)) and math.isnan(hist.percentile(100))
    assert math.isnan(hist.mean_ns)
    upper, frac = hist.cdf()
    assert upper.size == 0 and frac.size == 0
    assert summarize_latency(hist) == {
        "count": 0,
        "min": None,
        "mean": None,
        "p50": None,
        "p90": None,
        "p99": None,
        "p99.9": None,
        "max": None,
    }


def test_percentile_rejects_bad_q() -> None:
    hist = LatencyHistogram()
    hist.add(np.array([5]))
    for q in (-0.1, 100.1, math.nan):
        with pytest.raises(ValueError):
            hist.percentile(q)


def test_latency_merge_and_copy() -> None:
    a_data, b_data = lognormal_ns(5000, seed=4), lognormal_ns(7000, seed=5)
    a, b, both = LatencyHistogram(), LatencyHistogram(), LatencyHistogram()
    a.add(a_data)
    b.add(b_data)
    both.add(np.concatenate([a_data, b_data]))
    merged = a.copy()
    merged.merge(b)
    merged.merge(LatencyHistogram())  # merging an empty one changes nothing
    np.testing.assert_array_equal(merged.counts, both.counts)
    assert (merged.count, merged.min_ns, merged.max_ns, merged.sum_ns) == (
        both.count,
        both.min_ns,
        both.max_ns,
        both.sum_ns,
    )
    assert merged.percentiles(QS) == both.percentiles(QS)
    assert a.count == 5000  # the copy did not share state
    empty = LatencyHistogram()
    empty.merge(a)
    assert empty.percentiles(QS) == a.percentiles(QS)


def test_cdf() -> None:
    hist = LatencyHistogram()
    data = lognormal_ns(10_000, seed=6)
    hist.add(data)
    upper, frac = hist.cdf()
    assert upper.shape == frac.shape and upper.size > 0
    assert np.all(np.diff(upper) > 0) and np.all(np.diff(frac) >= 0)
    assert frac[-1] == pytest.approx(1.0) and frac[0] > 0
    assert upper[0] > data.min() and upper[-2] <= data.max() < upper[-1]
    # Fraction at each upper edge is the fraction of values below it (bucket resolution).
    for i in range(0, upper.size, 50):
        assert frac[i] == pytest.approx(np.mean(data < upper[i]), abs=1e-3)


def test_memory_is_bounded() -> None:
    lat = LatencyHistogram()
    vals = ValueHistogram(INT32_MIN, INT32_MAX)
    lat_size, vals_size = lat.counts.size, vals.counts.size
    rng = np.random.default_rng(7)
    lat.add(rng.integers(1, 10**10, size=1_000_000))
    vals.add(rng.integers(INT32_MIN, INT32_MAX, size=1_000_000, endpoint=True, dtype=np.int32))
    assert lat.counts.size == lat_size and vals.counts.size == vals_size
    assert lat.count == 1_000_000 and vals.total == 1_000_000


def test_summarize_latency() -> None:
    hist = LatencyHistogram()
    hist.add(np.array([1000, 2000, 3000, 4000], dtype=np.int64))
    summary = summarize_latency(hist)
    assert list(summary) == ["count", "min", "mean", "p50", "p90", "p99", "p99.9", "max"]
    assert summary["count"] == 4
    assert summary["min"] == 1.0 and summary["max"] == 4.0
    assert summary["mean"] == pytest.approx(2.5)
    assert summary["p50"] == pytest.approx(2.0, rel=0.01)
    assert summary["p99.9"] == pytest.approx(4.0, rel=0.01)
    assert all(isinstance(v, float) for k, v in summary.items() if k != "count")


# --------------------------------------------------------------------------------------------
# RunningRate
# --------------------------------------------------------------------------------------------


def test_running_rate_basics() -> None:
    rate = RunningRate()
    assert rate.rate() == 0.0
    rate.add(0.0, 0)
    assert rate.rate() == 0.0
    rate.add(0.5, 500)
    assert rate.rate() == pytest.approx(1000.0)
    rate.add(1.0, 1000)
    assert rate.rate() == pytest.approx(1000.0)
    # The rate changes; after the window has moved on only the new pace counts.
    for i in range(1, 21):
        rate.add(1.0 + 0.1 * i, 1000 + 100 * i)  # 1000/s ... now 1000 per second still
    assert rate.rate() == pytest.approx(1000.0)
    for i in range(1, 31):
        rate.add(3.0 + 0.1 * i, 3000 + 500 * i)  # 5000 per second
    assert rate.rate() == pytest.approx(5000.0)


def test_running_rate_window_and_bounds() -> None:
    rate = RunningRate(window_s=2.0, max_samples=16)
    for i in range(1000):
        rate.add(i * 0.01, i * 3)  # 300 per second
    assert len(rate._samples) <= 16
    assert rate.rate() == pytest.approx(300.0)
    same_time = RunningRate()
    same_time.add(1.0, 0)
    same_time.add(1.0, 10)
    assert same_time.rate() == 0.0
    with pytest.raises(ValueError):
        same_time.add(0.5, 20)
    with pytest.raises(ValueError):
        RunningRate(window_s=0.0)
    same_time.reset()
    assert same_time.rate() == 0.0
