"""Workloads: many exchanges by several clients, delivered as batches, stoppable from any thread.

`ExchangeLoop` is one client doing its share of a workload in the calling thread (the GUI runs
each in a QThread); `WorkloadRunner` runs `concurrency` loops in threads and aggregates them into
`WorkloadStatistics` (what `ipclab bench` reports). Values never accumulate: each batch carries a
histogram of the values it received, and per-exchange records are small fixed-size rows.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from backend.clients.client import Client, make_client
from backend.measuring.stats import LatencyHistogram, ValueHistogram, summarize_latency
from backend.protocol import frames as protocol
from backend.protocol.engine import ExchangeResult, ServerError, error_code_for
from backend.protocol.frames import ErrorCode
from backend.transports.base import Cancelled, TransportError
from backend.transports.cancel import Cancellation

RANDOM_COUNT_RANGE = (1, 10)  # the classic exercise: a random count of numbers in 1..10
BATCH_INTERVAL = 0.05  # seconds between batches handed to the consumer
START_GATE_TIMEOUT_S = 10.0  # the longest a run's clients wait for each other to connect
BATCH_MAX_RECORDS = 8192
LONGEST_HAND_OVER_S = 0.5


def hand_over_interval(concurrency: int) -> float:
    """Seconds between one client thread's batches: the run's threads together hand over about
    40 batches a second (each costs its consumer the same, whatever its size), up to 0.5 s. At 64
    clients, one batch per client every 50 ms took a fifth of the machine's CPU to aggregate."""
    return min(LONGEST_HAND_OVER_S, BATCH_INTERVAL * max(1.0, concurrency / 2))
SCHEMA = "ipclab.bench/2"  # 2: `bytes` became `value_bytes` and `wire_bytes`

RECORD_DTYPE = np.dtype([
    ("client", "u2"), ("request_id", "u4"), ("count", "u4"), ("start_ns", "i8"), ("latency_ns", "i8"),
    ("first_byte_ns", "i8"), ("server_generation_ns", "i8"), ("server_service_ns", "i8"),
    ("value_bytes", "u8"), ("wire_bytes", "u8"), ("error", "i2"),
])
RECORD_FIELDS = RECORD_DTYPE.names
# The columns of a CSV of exchanges (`ipclab bench --csv`, the GUI's export): which transport, the
# record's fields, then which engines measured (the client's, and the server's when known, else empty).
CSV_COLUMNS = ("transport", *RECORD_FIELDS, "engine", "server_engine")
VALUE_SIZE = 4  # bytes of one value (a big-endian int32)


def success_record(client: int, result: ExchangeResult, run_start_ns: int) -> tuple:
    """One RECORD_DTYPE row for a completed exchange.

    `value_bytes` are the bytes of the values alone (4 per value); `wire_bytes` every byte of the
    exchange's frames that crossed the channel: the request frame plus the reply's chunk headers,
    values and END frame (docs/BENCH.md)."""
    return (client, result.request_id, result.count, result.send_ns - run_start_ns, result.latency_ns,
            result.first_byte_ns - result.send_ns, result.server_generation_ns, result.server_service_ns,
            result.count * VALUE_SIZE, protocol.REQUEST_SIZE + result.bytes_received, 0)


def failure_record(client: int, count: int, run_start_ns: int, code: int) -> tuple:
    """One RECORD_DTYPE row for a failed exchange (no times, no bytes: only its error code)."""
    return (client, 0, count, time.perf_counter_ns() - run_start_ns, 0, 0, 0, 0, 0, 0, code)


@dataclass
class WorkloadSpec:
    """What to run. `count=None` means a random count in 1..10 for each exchange."""

    transport: str
    address: str | None = None  # None: the runner's caller supplies or starts a server
    requests: int | None = 1000  # total over all clients; None: until `duration` or stop()
    count: int | None = 10
    lo: int = protocol.DEFAULT_LO
    hi: int = protocol.DEFAULT_HI
    seed: int | None = None
    concurrency: int = 1
    duration: float | None = None
    timeout: float = 10.0
    check_values: bool = True  # False: skip the value histogram (pure transport measurement)
    engine: str = "python"  # "native" (the compiled data plane), "python", or "auto" (native when built)

    def check(self) -> None:
        """Raise ValueError with a clear message for an impossible workload."""
        if self.requests is None and self.duration is None:
            raise ValueError("give a number of requests, a duration, or both")
        if self.requests is not None and self.requests < 0:
            raise ValueError(f"requests must be >= 0, got {self.requests}")
        if self.duration is not None and not self.duration > 0:
            raise ValueError(f"duration must be > 0 seconds, got {self.duration}")
        if not 1 <= self.concurrency <= 4096:
            raise ValueError(f"concurrency must be in 1..4096, got {self.concurrency}")
        try:
            protocol.validate_request_fields(self.count or 0, self.lo, self.hi)
        except protocol.ProtocolError as error:
            raise ValueError(error.message) from None
        if self.timeout <= 0:
            raise ValueError("timeout must be > 0")
        from backend.native.loader import ENGINES

        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; expected one of {', '.join(ENGINES)}")

    def resolved_engine(self) -> str:
        """The engine that runs: "native" or "python" (raises EngineUnavailable for a missing native)."""
        from backend.native.loader import resolve_engine

        return resolve_engine(self.engine)

    def share(self, client_index: int) -> int | None:
        """How many requests client `client_index` makes (the total split as evenly as possible)."""
        if self.requests is None:
            return None
        base, extra = divmod(self.requests, self.concurrency)
        return base + (1 if client_index < extra else 0)


@dataclass
class ExchangeBatch:
    """What one client hands over every ~50 ms: records, a value histogram, the last reply."""

    client_index: int
    records: np.ndarray  # RECORD_DTYPE rows
    values: ValueHistogram
    last_values: np.ndarray  # native-order copy of the last reply's first values (at most 20)
    server_pid: int = 0
    error_messages: list[str] = field(default_factory=list)
    engine: str = "python"  # which engine measured these exchanges


class ExchangeLoop:
    """One client's share of a workload, run in the calling thread by `run()`."""

    def __init__(
        self,
        spec: WorkloadSpec,
        address: str,
        client_index: int = 0,
        cancellation: Cancellation | None = None,
        run_start_ns: int | None = None,
    ) -> None:
        self.spec = spec
        self.address = address
        self.client_index = client_index
        self.cancellation = cancellation or Cancellation()
        self._owns_cancellation = cancellation is None
        self.run_start_ns = run_start_ns if run_start_ns is not None else time.perf_counter_ns()
        self.completed = 0
        self.failed = 0
        self.fatal_error: str | None = None
        self.batch_interval = BATCH_INTERVAL  # seconds between batches handed to `on_batch`
        self.start_gate: threading.Barrier | None = None  # set by WorkloadRunner: its clients start together

    def connect(self, **options) -> Client:
        """This loop's client (make_client with the spec's transport, timeout and cancellation).
        With a start gate (WorkloadRunner's runs of several clients) it connects at once and then
        waits until every client of the run is connected, as the C floor's clients do, so that
        the run's elapsed time has them all exchanging. A client that cannot connect breaks the
        gate (the others go on) and is left to fail at its first request, reported as without a
        gate; stopping the run and a gate still closed after START_GATE_TIMEOUT_S break it too."""
        client = make_client(self.spec.transport, self.address, timeout=self.spec.timeout,
                             cancellation=self.cancellation, **options)
        gate = self.start_gate
        if gate is None:
            return client
        try:
            client.connect()
        except (TransportError, OSError):
            gate.abort()
            return client
        try:
            gate.wait(START_GATE_TIMEOUT_S)
        except threading.BrokenBarrierError:
            pass
        return client

    def stop(self) -> None:
        """Stop from any thread: blocked I/O is interrupted at once."""
        self.cancellation.cancel()

    def _counts(self) -> Callable[[], int]:
        if self.spec.count is not None:
            fixed = self.spec.count
            return lambda: fixed
        seed = None if self.spec.seed is None else [self.spec.seed, self.client_index, 1]
        generator = np.random.default_rng(seed)
        lo, hi = RANDOM_COUNT_RANGE

        def pick() -> int:
            return int(generator.integers(lo, hi, endpoint=True))

        return pick

    def run(self, on_batch: Callable[[ExchangeBatch], None]) -> None:
        """Do the exchanges, calling `on_batch` from this thread; returns when done or stopped."""
        if self.spec.resolved_engine() == "native":
            from backend.measuring.native_loop import run_native_loop

            run_native_loop(self, on_batch)
            return
        spec = self.spec
        share = spec.share(self.client_index)
        deadline = None if spec.duration is None else time.monotonic() + spec.duration
        next_count = self._counts()
        client = self.connect()
        rows: list[tuple] = []
        histogram = ValueHistogram(spec.lo, spec.hi)
        messages: list[str] = []
        last_values = np.empty(0, dtype=np.int32)
        pending = np.empty(65_536, dtype=">i4")  # values of small replies not yet counted
        pending_count = 0
        last_flush = time.monotonic()
        request_number = 0
        start_ns = self.run_start_ns
        index = self.client_index
        check_values = spec.check_values
        try:
            while not self.cancellation.cancelled:
                if share is not None and request_number >= share:
                    break
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    break
                count = next_count()
                seed = None
                if spec.seed is not None:
                    seed = (spec.seed * 1_000_003 + index * 65_537 + request_number) % (protocol.UINT64_MAX + 1)
                request_number += 1
                try:
                    if not check_values:
                        result = client.request(count, spec.lo, spec.hi, seed, sink=_discard)
                    elif count <= 64:
                        result = client.request(count, spec.lo, spec.hi, seed)
                        if count:
                            # Small replies are counted in bulk at batch time, not one by one.
                            if pending_count + count > len(pending):
                                histogram.add(pending[:pending_count])
                                pending_count = 0
                            pending[pending_count:pending_count + count] = result.values
                            pending_count += count
                            last_values = result.values
                    else:
                        result = client.request(count, spec.lo, spec.hi, seed, sink=histogram.add)
                except Cancelled:
                    break
                except ServerError as error:
                    self.failed += 1
                    rows.append(failure_record(index, count, start_ns, error.code))
                    if len(messages) < 20:
                        messages.append(str(error))
                    if error.code == ErrorCode.BUSY:
                        self.cancellation.wait(0.01)
                except (TransportError, OSError) as error:
                    self.failed += 1
                    code = error_code_for(error)
                    rows.append(failure_record(index, count, start_ns, code))
                    self.fatal_error = f"client {index}: {error}"
                    messages.append(self.fatal_error)
                    break
                else:
                    self.completed += 1
                    rows.append(success_record(index, result, start_ns))
                if len(rows) >= BATCH_MAX_RECORDS or now - last_flush >= self.batch_interval:
                    histogram.add(pending[:pending_count])
                    pending_count = 0
                    on_batch(self._batch(rows, histogram, last_values, client, messages))
                    rows, messages = [], []
                    histogram = ValueHistogram(spec.lo, spec.hi)
                    last_flush = now
        finally:
            client.close()
            histogram.add(pending[:pending_count])
            if rows or histogram.total or histogram.out_of_range or messages:
                on_batch(self._batch(rows, histogram, last_values, client, messages))
            if self._owns_cancellation:
                self.cancellation.close()

    def _batch(self, rows: list[tuple], histogram: ValueHistogram, last_values: np.ndarray,
               client: Client, messages: list[str]) -> ExchangeBatch:
        records = np.array(rows, dtype=RECORD_DTYPE) if rows else np.empty(0, dtype=RECORD_DTYPE)
        return ExchangeBatch(self.client_index, records, histogram, last_values[:20].astype(np.int32),
                             client.server_pid, list(messages))


def _discard(values: np.ndarray) -> None:
    """A sink for runs that measure the transport only (the engine still checks every count)."""


class WorkloadStatistics:
    """Aggregates batches into totals, a value histogram and latency histograms (bounded memory)."""

    def __init__(self, spec: WorkloadSpec) -> None:
        self.spec = spec
        self.values = ValueHistogram(spec.lo, spec.hi)
        self.latency = LatencyHistogram()
        self.server_service = LatencyHistogram()
        self.exchanges = 0
        self.errors = 0
        self.errors_by_code: dict[str, int] = {}
        self.numbers = 0
        self.value_bytes = 0
        self.wire_bytes = 0
        self.first_start_ns: int | None = None
        self.last_end_ns = 0
        self.error_messages: list[str] = []
        self.server_pids: set[int] = set()
        self.engines: set[str] = set()

    def add(self, batch: ExchangeBatch) -> None:
        records = batch.records
        self.values.merge(batch.values)
        self.engines.add(batch.engine)
        if batch.server_pid:
            self.server_pids.add(batch.server_pid)
        for message in batch.error_messages:
            if len(self.error_messages) < 100:
                self.error_messages.append(message)
        if not len(records):
            return
        ok = records[records["error"] == 0]
        failed = records[records["error"] != 0]
        self.exchanges += len(ok)
        self.errors += len(failed)
        for code in failed["error"]:
            name = protocol.error_name(int(code))
            self.errors_by_code[name] = self.errors_by_code.get(name, 0) + 1
        if len(ok):
            self.numbers += int(ok["count"].sum())
            self.value_bytes += int(ok["value_bytes"].sum())
            self.wire_bytes += int(ok["wire_bytes"].sum())
            self.latency.add(ok["latency_ns"])
            self.server_service.add(ok["server_service_ns"])
            starts = ok["start_ns"]
            first = int(starts.min())
            self.first_start_ns = first if self.first_start_ns is None else min(self.first_start_ns, first)
            self.last_end_ns = max(self.last_end_ns, int((starts + ok["latency_ns"]).max()))

    @property
    def elapsed_s(self) -> float:
        if self.first_start_ns is None:
            return 0.0
        return max(self.last_end_ns - self.first_start_ns, 1) / 1e9

    def report(self, address: str = "", embedded: bool = False, stopped: bool = False) -> dict:
        """The `ipclab bench --json` object (schema ipclab.bench/2, see docs/BENCH.md)."""
        elapsed = self.elapsed_s
        chi = self.values.chi_square()
        rate = (lambda n: n / elapsed if elapsed > 0 else 0.0)
        workload = asdict(self.spec)
        workload["count"] = "random" if self.spec.count is None else self.spec.count
        workload.pop("address", None)
        return {
            "schema": SCHEMA,
            "transport": self.spec.transport,
            "engine": "+".join(sorted(self.engines)) if self.engines else self.spec.resolved_engine(),
            "address": address,
            "embedded_server": embedded,
            "server_engine": None,  # `ipclab bench` fills in its embedded server's engine
            "server_pids": sorted(self.server_pids),
            "workload": workload,
            "stopped_early": stopped,
            "exchanges": self.exchanges,
            "errors": self.errors,
            "errors_by_code": dict(self.errors_by_code),
            "error_messages": self.error_messages[:10],
            "numbers": self.numbers,
            "values_checked": self.spec.check_values,
            "lost_numbers": max(0, self.numbers - self.values.total - self.values.out_of_range)
            if self.spec.check_values else 0,
            "out_of_range": self.values.out_of_range,
            "value_bytes": self.value_bytes,
            "wire_bytes": self.wire_bytes,
            "elapsed_s": round(elapsed, 6),
            "exchanges_per_s": round(rate(self.exchanges), 3),
            "numbers_per_s": round(rate(self.numbers), 3),
            "value_megabytes_per_s": round(rate(self.value_bytes) / 1e6, 3),
            "wire_megabytes_per_s": round(rate(self.wire_bytes) / 1e6, 3),
            "latency_us": summarize_latency(self.latency),
            "server_service_us": summarize_latency(self.server_service),
            "distribution": None if not self.spec.check_values else {
                "lo": self.spec.lo, "hi": self.spec.hi, "bins": int(len(self.values.counts)),
                "one_bin_per_value": bool(self.values.one_bin_per_value),
                "chi_square": _finite(chi.statistic), "degrees_of_freedom": chi.degrees_of_freedom,
                "p_value": _finite(chi.p_value),
            },
        }


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


class WorkloadRunner:
    """Runs a workload with `concurrency` client threads against a server at `address`."""

    def __init__(
        self,
        spec: WorkloadSpec,
        address: str,
        on_batch: Callable[[ExchangeBatch], None] | None = None,
    ) -> None:
        spec.check()
        self.engine = spec.resolved_engine()
        self.spec = spec
        self.address = address
        self.on_batch = on_batch
        self.statistics = WorkloadStatistics(spec)
        self.cancellation = Cancellation()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._loops: list[ExchangeLoop] = []
        self._start_gate: threading.Barrier | None = None
        self.started_at = 0.0
        self.finished = threading.Event()

    def _deliver(self, batch: ExchangeBatch) -> None:
        with self._lock:
            self.statistics.add(batch)
        if self.on_batch is not None:
            self.on_batch(batch)

    def start(self) -> None:
        self.started_at = time.monotonic()
        run_start = time.perf_counter_ns()
        self._loops = [
            ExchangeLoop(self.spec, self.address, index, self.cancellation, run_start)
            for index in range(self.spec.concurrency)
        ]
        for loop in self._loops:
            loop.batch_interval = hand_over_interval(self.spec.concurrency)
        if len(self._loops) > 1:
            self._start_gate = threading.Barrier(len(self._loops))
            for loop in self._loops:
                loop.start_gate = self._start_gate
        for loop in self._loops:
            thread = threading.Thread(target=loop.run, args=(self._deliver,), name=f"ipclab-client-{loop.client_index}",
                                      daemon=True)
            self._threads.append(thread)
            thread.start()
        threading.Thread(target=self._watch, name="ipclab-runner", daemon=True).start()

    def _watch(self) -> None:
        for thread in self._threads:
            thread.join()
        self.finished.set()

    def stop(self) -> None:
        """Stop every client within milliseconds (blocked reads and writes are interrupted)."""
        self.cancellation.cancel()
        if self._start_gate is not None:
            self._start_gate.abort()  # clients still waiting for the others go, and see the cancellation

    @property
    def stopped(self) -> bool:
        return self.cancellation.cancelled

    @property
    def completed(self) -> int:
        return sum(loop.completed + loop.failed for loop in self._loops)

    @property
    def fatal_errors(self) -> list[str]:
        return [loop.fatal_error for loop in self._loops if loop.fatal_error]

    def wait(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)

    def close(self) -> None:
        self.stop()
        for thread in self._threads:
            thread.join(timeout=5)
        self.cancellation.close()

    def run(self, on_progress: Callable[["WorkloadRunner"], None] | None = None,
            progress_interval: float = 0.25) -> WorkloadStatistics:
        """Start, wait (calling on_progress periodically), and return the statistics."""
        self.start()
        try:
            while not self.finished.wait(progress_interval):
                if on_progress is not None:
                    on_progress(self)
        except KeyboardInterrupt:
            self.stop()
            self.finished.wait(5)
        finally:
            for thread in self._threads:
                thread.join(timeout=5)
        return self.statistics
