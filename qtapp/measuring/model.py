"""The run model: what the plots and summaries show, fed by workers' batches, in bounded memory.

Plain Python + numpy (Qt only to translate the client log texts). Workers put `ExchangeBatch`es
into a `BatchInbox` from their threads; the GUI thread drains it on a timer into per-transport
`TransportSeries`, which keep only histograms (via the backend's `WorkloadStatistics`), a ring of
recent latencies and self-coarsening throughput bins, never every value.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject

from backend.measuring.runner import (
    RECORD_DTYPE,
    ExchangeBatch,
    WorkloadSpec,
    WorkloadStatistics,
)
from qtapp.measuring.ring_buffer import RecordRing, ThinningBuffer, TimeBins
from qtapp.window.i18n import number

class TransportNames(dict):
    """Transport key -> its name in the current language (looked up on every access)."""

    def __getitem__(self, key: str) -> str:
        return QCoreApplication.translate("Transports", super().__getitem__(key))

    def values(self):  # type: ignore[override]
        return [self[key] for key in self]

    def items(self):  # type: ignore[override]
        return [(key, self[key]) for key in self]

    def get(self, key, default=None):  # type: ignore[override]
        return self[key] if key in self else default


TRANSPORT_NAMES = TransportNames(fifo=QT_TRANSLATE_NOOP("Transports", "FIFO"),
                                 tcp=QT_TRANSLATE_NOOP("Transports", "TCP"),
                                 unix=QT_TRANSLATE_NOOP("Transports", "Unix socket"))
LATENCY_POINTS = 20_000  # per-exchange latencies kept for the latency-over-time plot (whole run, thinned)
POINTS_PER_BATCH = 100  # at most this many of a batch's exchanges are kept as plot points
RECORDS_KEPT = 100_000  # recent exchange records kept for the CSV export


@dataclass
class InboxItem:
    """A batch together with the run it belongs to."""

    run_id: int
    transport: str
    batch: ExchangeBatch


class BatchInbox:
    """Thread-safe hand-over of batches from workers to the GUI thread (which pulls on a timer)."""

    def __init__(self) -> None:
        self._items: deque[InboxItem] = deque()
        self._lock = threading.Lock()

    def put(self, item: InboxItem) -> None:
        with self._lock:
            self._items.append(item)

    def drain(self) -> list[InboxItem]:
        with self._lock:
            items = list(self._items)
            self._items.clear()
        return items


@dataclass
class ClientLogEntry:
    """One line of the client log, ready to format."""

    time_s: float
    transport: str
    client_pid: int
    server_pid: int
    text: str


class TransportSeries:
    """Everything shown for one transport since its last reset: statistics, latencies, rates."""

    def __init__(self, transport: str, spec: WorkloadSpec, single_exchanges: bool = False) -> None:
        self.transport = transport
        self.spec = spec
        self.single_exchanges = single_exchanges  # a series of "Send one request" exchanges, not a workload
        self.statistics = WorkloadStatistics(spec)
        self.latency_points = ThinningBuffer(LATENCY_POINTS, 2)  # (time s, round trip µs) over the whole run
        self.last_time_s = 0.0  # when the latest exchange ended, in seconds since the series started
        self.throughput = TimeBins(2)  # exchanges, numbers
        self.records = RecordRing(RECORDS_KEPT, RECORD_DTYPE)
        self.start_ns = time.perf_counter_ns()
        self.start_wall = time.time()
        self.last_values = np.empty(0, dtype=np.int32)
        self.server_pid = 0
        self.completed = 0
        self.failed = 0
        self.error_messages: deque[str] = deque(maxlen=20)
        self.address = ""
        self.embedded = True
        self.server_engine: str | None = None  # the engine the server's ready line names
        self.stopped_early = False
        self.version = 0

    @property
    def finished_exchanges(self) -> int:
        return self.completed + self.failed

    def add(self, batch: ExchangeBatch) -> None:
        """Account one batch (GUI thread)."""
        self.statistics.add(batch)
        records = batch.records
        if batch.server_pid:
            self.server_pid = batch.server_pid
        if len(batch.last_values):
            self.last_values = batch.last_values
        self.error_messages.extend(batch.error_messages)
        self.version += 1
        if not len(records):
            return
        self.records.extend(records)
        ok = records[records["error"] == 0]
        self.completed += len(ok)
        self.failed += len(records) - len(ok)
        if not len(ok):
            return
        times = ok["start_ns"] / 1e9
        self.last_time_s = max(self.last_time_s, float(((ok["start_ns"] + ok["latency_ns"]) / 1e9).max()))
        self.throughput.add(times, np.column_stack((np.ones(len(ok)), ok["count"].astype(np.float64))))
        latencies = ok["latency_ns"] / 1e3
        if len(ok) > POINTS_PER_BATCH:  # keep a spread sample and the slowest exchange
            picked = np.linspace(0, len(ok) - 1, POINTS_PER_BATCH - 1).astype(np.int64)
            picked = np.unique(np.append(picked, int(np.argmax(latencies))))
            times, latencies = times[picked], latencies[picked]
        self.latency_points.extend(np.column_stack((times, latencies)))

    def report(self) -> dict:
        """The `ipclab bench --json` object for this transport's run."""
        report = self.statistics.report(self.address, self.embedded, self.stopped_early)
        report["server_engine"] = self.server_engine
        return report


@dataclass
class RunModel:
    """All transports' series plus the client log entries waiting to be shown."""

    series: dict[str, TransportSeries] = field(default_factory=dict)
    current_transport: str = "fifo"
    version: int = 0

    def reset(self, transport: str, spec: WorkloadSpec, single_exchanges: bool = False) -> TransportSeries:
        """Start a fresh series for `transport` (a new workload, or the first of single exchanges)."""
        series = TransportSeries(transport, spec, single_exchanges)
        self.series[transport] = series
        self.current_transport = transport
        self.version += 1
        return series

    def series_for(self, transport: str, spec: WorkloadSpec) -> TransportSeries:
        """The series that single exchanges on `transport` add to: the current one if it holds single
        exchanges of the same value range, else a fresh one. A single request after a workload thus
        starts a new current run (its time axis starts at 0) instead of stretching the workload's."""
        series = self.series.get(transport)
        if series is None or not series.single_exchanges or (series.spec.lo, series.spec.hi) != (spec.lo, spec.hi):
            return self.reset(transport, spec, single_exchanges=True)
        self.current_transport = transport
        return series

    def clear(self) -> None:
        self.series.clear()
        self.version += 1

    def current(self) -> TransportSeries | None:
        return self.series.get(self.current_transport)

    def time_extent_s(self) -> float:
        return time_extent_s(self.series)


def time_extent_s(all_series: dict[str, TransportSeries]) -> float:
    """Seconds from the start of the series shown to the end of their latest exchange: the time axes
    of the round-trip and throughput plots both span this, so they start and end together."""
    return max((series.last_time_s for series in all_series.values() if series is not None), default=0.0)


class ClientLog(QObject):
    """Client log texts with a plural form (lupdate finds `%n` plurals only in `tr()` calls)."""

    def asked(self, count: int, lo: int, hi: int, latency_us: float) -> str:
        return self.tr("asked for %Ln number(s) in {lo}..{hi}, round trip {latency} µs", "", count).format(
            lo=lo, hi=hi, latency=number(latency_us, 1))


def median(values: np.ndarray) -> float:
    """np.median of a non-empty array, without its masked-array check (whose first call imports
    numpy.ma: a tenth of a second of the GUI thread during the first run)."""
    middle = len(values) // 2
    if len(values) % 2:
        return float(np.partition(values, middle)[middle])
    low, high = np.partition(values, (middle - 1, middle))[middle - 1:middle + 1]
    return float((low + high) / 2)


def client_log_entries(series: TransportSeries, batch: ExchangeBatch, client_pid: int,
                       detail_limit: int = 3) -> list[ClientLogEntry]:
    """Client log lines for one batch: each exchange when there are few, else one summary."""
    records = batch.records
    entries: list[ClientLogEntry] = []
    server_pid = batch.server_pid or series.server_pid
    transport = series.transport
    for message in batch.error_messages[:3]:
        entries.append(ClientLogEntry(time.time(), transport, client_pid, server_pid,
                                      QCoreApplication.translate("ClientLog", "error: {message}").format(message=message)))
    if not len(records):
        return entries
    ok = records[records["error"] == 0]
    if 0 < len(ok) <= detail_limit:
        for position, record in enumerate(ok):
            text = ClientLog().asked(int(record["count"]), series.spec.lo, series.spec.hi, record["latency_ns"] / 1e3)
            if position == len(ok) - 1 and len(batch.last_values):
                shown = " ".join(str(int(value)) for value in batch.last_values[:20])
                more = " …" if int(record["count"]) > len(batch.last_values) else ""
                text += f": {shown}{more}"
            when = series.start_wall + record["start_ns"] / 1e9
            entries.append(ClientLogEntry(when, transport, client_pid, server_pid, text))
    elif len(ok):
        latencies = ok["latency_ns"] / 1e3
        numbers = int(ok["count"].sum())
        text = QCoreApplication.translate(
            "ClientLog",
            "thread {thread}: {exchanges} exchanges, {numbers} numbers, round trip median {median} µs, max {max} µs").format(
            thread=batch.client_index, exchanges=number(len(ok)), numbers=number(numbers),
            median=number(median(latencies), 1), max=number(float(latencies.max()), 1))
        entries.append(ClientLogEntry(time.time(), transport, client_pid, server_pid, text))
    return entries
