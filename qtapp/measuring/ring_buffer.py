"""Bounded numpy buffers for live plots: a ring of recent rows and self-coarsening time bins.

Workers never write here; the GUI thread fills them from batches. Memory is fixed at creation.
"""

from __future__ import annotations

import numpy as np


class RingBuffer:
    """The last `capacity` rows of `columns` float64 values; older rows are dropped."""

    def __init__(self, capacity: int, columns: int) -> None:
        self.capacity = capacity
        self._data = np.zeros((capacity, columns), dtype=np.float64)
        self._next = 0
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def clear(self) -> None:
        self._next = 0
        self._size = 0

    def extend(self, rows: np.ndarray) -> None:
        """Append rows (shape (n, columns)); only the last `capacity` of them are kept."""
        rows = np.asarray(rows, dtype=np.float64)
        if rows.ndim != 2 or not len(rows):
            return
        if len(rows) > self.capacity:
            rows = rows[-self.capacity:]
        count = len(rows)
        end = self._next + count
        if end <= self.capacity:
            self._data[self._next:end] = rows
        else:
            first = self.capacity - self._next
            self._data[self._next:] = rows[:first]
            self._data[:count - first] = rows[first:]
        self._next = end % self.capacity
        self._size = min(self.capacity, self._size + count)

    def rows(self) -> np.ndarray:
        """A copy of the kept rows, oldest first."""
        if self._size < self.capacity:
            return self._data[:self._size].copy()
        return np.concatenate((self._data[self._next:], self._data[:self._next]))


class ThinningBuffer:
    """Rows over a whole run in bounded memory, evenly thinned: when the buffer is full, each pair of
    neighbouring rows is merged into the one with the larger `peak_column` value (the slower
    exchange) and from then on each group of 2, 4, 8... incoming rows is kept as its peak row, so
    the kept rows always cover the run from its first row at one resolution, and never hide the
    worst case. Rows come in roughly increasing time (column 0)."""

    def __init__(self, capacity: int, columns: int, peak_column: int = 1) -> None:
        self.capacity = max(2, capacity - capacity % 2)
        self.peak_column = peak_column
        self._data = np.zeros((self.capacity, columns), dtype=np.float64)
        self._pending = np.zeros((0, columns), dtype=np.float64)  # raw rows of an incomplete group
        self._size = 0
        self.thinned = 0  # how many times the resolution was halved

    def __len__(self) -> int:
        return self._size + (1 if len(self._pending) else 0)

    def clear(self) -> None:
        self._size = 0
        self.thinned = 0
        self._pending = self._pending[:0]

    def _peaks(self, rows: np.ndarray, stride: int) -> np.ndarray:
        if stride == 1 or not len(rows):
            return rows
        groups = rows.reshape(-1, stride, rows.shape[1])
        return groups[np.arange(len(groups)), np.argmax(groups[:, :, self.peak_column], axis=1)]

    def extend(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=np.float64)
        if rows.ndim != 2 or not len(rows):
            return
        if len(self._pending):
            rows = np.concatenate((self._pending, rows))
        while True:
            stride = 1 << self.thinned
            usable = len(rows) // stride * stride
            reduced = self._peaks(rows[:usable], stride)
            room = self.capacity - self._size
            if len(reduced) <= room:
                self._data[self._size:self._size + len(reduced)] = reduced
                self._size += len(reduced)
                self._pending = rows[usable:].copy()
                return
            self._data[self._size:] = reduced[:room]
            self._size = self.capacity
            rows = rows[room * stride:]
            self._data[:self.capacity // 2] = self._peaks(self._data, 2)
            self._size = self.capacity // 2
            self.thinned += 1

    def rows(self) -> np.ndarray:
        """A copy of the kept rows in the order they came (the incomplete last group as its peak)."""
        kept = self._data[:self._size]
        if len(self._pending):
            kept = np.concatenate((kept, self._peaks(self._pending, len(self._pending))))
        return kept.copy()


class TimeBins:
    """Sums of several quantities per time bin since a run's start, in bounded memory.

    Bins start `initial_width_s` wide; when a time falls past the last bin, neighbouring bins are
    merged in pairs (the width doubles), so a run of any length fits in `capacity` bins.
    """

    def __init__(self, quantities: int, capacity: int = 2048, initial_width_s: float = 0.1) -> None:
        self.capacity = capacity
        self.initial_width_s = initial_width_s
        self.width_s = initial_width_s
        self._sums = np.zeros((capacity, quantities), dtype=np.float64)
        self._used = 0

    def clear(self) -> None:
        self.width_s = self.initial_width_s
        self._sums[:] = 0
        self._used = 0

    def add(self, times_s: np.ndarray, amounts: np.ndarray) -> None:
        """Add `amounts` (shape (n, quantities)) at `times_s` (shape (n,), seconds, >= 0)."""
        if not len(times_s):
            return
        latest = float(np.max(times_s))
        while latest >= self.capacity * self.width_s:
            self._coarsen()
        index = np.clip((np.asarray(times_s) / self.width_s).astype(np.int64), 0, self.capacity - 1)
        for column in range(self._sums.shape[1]):
            self._sums[:, column] += np.bincount(index, weights=amounts[:, column], minlength=self.capacity)
        self._used = max(self._used, int(index.max()) + 1)

    def _coarsen(self) -> None:
        half = self.capacity // 2
        merged = self._sums[0::2] + self._sums[1::2]
        self._sums[:half] = merged
        self._sums[half:] = 0
        self._used = (self._used + 1) // 2
        self.width_s *= 2

    def rates(self, drop_last: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(bin centres in s, per-second rates of each quantity); the partial last bin is dropped."""
        used = self._used - 1 if drop_last and self._used > 1 else self._used
        centres = (np.arange(used) + 0.5) * self.width_s
        return centres, self._sums[:used] / self.width_s


class RecordRing:
    """The last `capacity` rows of a numpy structured array (e.g. exchange records)."""

    def __init__(self, capacity: int, dtype: np.dtype) -> None:
        self.capacity = capacity
        self._data = np.zeros(capacity, dtype=dtype)
        self._next = 0
        self._size = 0
        self.dropped = 0

    def __len__(self) -> int:
        return self._size

    def extend(self, records: np.ndarray) -> None:
        if not len(records):
            return
        if len(records) > self.capacity:
            self.dropped += len(records) - self.capacity
            records = records[-self.capacity:]
        count = len(records)
        self.dropped += max(0, self._size + count - self.capacity)
        end = self._next + count
        if end <= self.capacity:
            self._data[self._next:end] = records
        else:
            first = self.capacity - self._next
            self._data[self._next:] = records[:first]
            self._data[:count - first] = records[first:]
        self._next = end % self.capacity
        self._size = min(self.capacity, self._size + count)

    def records(self) -> np.ndarray:
        """A copy of the kept records, oldest first."""
        if self._size < self.capacity:
            return self._data[:self._size].copy()
        return np.concatenate((self._data[self._next:], self._data[:self._next]))
