"""`ExchangeLoop.run` for the native engine: the same workload, in batches run by compiled code.

Each call into the native engine (backend/native) does a batch of exchanges on the client's
channel with the interpreter lock released, timing each one and counting its values into the
batch's histogram; Python only prepares the counts and seeds and turns the rows into records.
The batch grows while a call takes under 20 ms and shrinks above 50 ms (a fifth and half of the
hand-over interval when that is longer, with many clients: see call_target_s); a stop interrupts
a call at once, a duration or a hand-over is late by at most one call; the batch is one exchange
after an error.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

import numpy as np

from backend.measuring.stats import ValueHistogram
from backend.protocol import frames as protocol
from backend.protocol.engine import ServerError, error_code_for
from backend.protocol.frames import ErrorCode
from backend.transports.base import Cancelled, TransportError

if TYPE_CHECKING:
    from backend.measuring.runner import ExchangeBatch, ExchangeLoop

MAX_BATCH = 4096
FAST_CALL_S = 0.02
SLOW_OVER_FAST = 2.5


def call_target_s(hand_over_s: float) -> float:
    """A batch grows while its call takes less than this, and shrinks above 2.5 times this: 20 ms,
    or a fifth of the loop's hand-over interval when that is longer (many clients hand over less
    often, and fewer, longer calls leave the interpreter lock to the others: each call costs
    tens of microseconds of Python)."""
    return max(FAST_CALL_S, hand_over_s / 5)


def records_from_native(client_index: int, native: np.ndarray, run_start_ns: int) -> np.ndarray:
    """RECORD_DTYPE rows from the native engine's rows (same meanings as the Python loop's)."""
    from backend.measuring.runner import RECORD_DTYPE, VALUE_SIZE

    records = np.zeros(len(native), dtype=RECORD_DTYPE)
    send = native["send_ns"]
    records["client"] = client_index
    records["request_id"] = native["request_id"]
    records["count"] = native["count"]
    records["start_ns"] = send - run_start_ns
    records["latency_ns"] = native["last_byte_ns"] - send
    records["first_byte_ns"] = native["first_byte_ns"] - send
    records["server_generation_ns"] = native["server_generation_ns"]
    records["server_service_ns"] = native["server_service_ns"]
    records["value_bytes"] = native["count"].astype(np.uint64) * VALUE_SIZE
    records["wire_bytes"] = protocol.REQUEST_SIZE + native["bytes_received"].astype(np.uint64)
    return records


def _failure_record(client_index: int, count: int, run_start_ns: int, code: int) -> np.ndarray:
    from backend.measuring.runner import RECORD_DTYPE, failure_record

    return np.array([failure_record(client_index, count, run_start_ns, code)], dtype=RECORD_DTYPE)


def run_native_loop(loop: "ExchangeLoop", on_batch: Callable[["ExchangeBatch"], None]) -> None:
    """The body of ExchangeLoop.run when the loop's engine is native."""
    from backend.measuring.runner import BATCH_MAX_RECORDS, RANDOM_COUNT_RANGE, ExchangeBatch

    spec = loop.spec
    index = loop.client_index
    share = spec.share(index)
    deadline = None if spec.duration is None else time.monotonic() + spec.duration
    generator = None
    if spec.count is None:
        generator = np.random.default_rng(None if spec.seed is None else [spec.seed, index, 1])
    seed_base = None if spec.seed is None else (spec.seed * 1_000_003 + index * 65_537) % (protocol.UINT64_MAX + 1)
    client = loop.connect(engine="native")
    histogram = ValueHistogram(spec.lo, spec.hi)
    parts: list[np.ndarray] = []
    rows = 0
    messages: list[str] = []
    last_values = np.empty(0, dtype=np.int32)
    last_flush = time.monotonic()
    request_number = 0
    batch_size = 1
    fast_call_s = call_target_s(loop.batch_interval)

    def hand_over() -> None:
        nonlocal parts, rows, messages, histogram
        from backend.measuring.runner import RECORD_DTYPE

        records = np.concatenate(parts) if parts else np.empty(0, dtype=RECORD_DTYPE)
        on_batch(ExchangeBatch(index, records, histogram, last_values[:20].copy(), client.server_pid,
                               list(messages), engine="native"))
        parts, rows, messages = [], 0, []
        histogram = ValueHistogram(spec.lo, spec.hi)

    try:
        while not loop.cancellation.cancelled:
            size = batch_size if share is None else min(batch_size, share - request_number)
            if size <= 0:
                break
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                break
            if generator is None:
                counts = np.full(size, spec.count, dtype=np.uint32)
            else:
                counts = generator.integers(*RANDOM_COUNT_RANGE, size=size, endpoint=True).astype(np.uint32)
            seeds = None
            if seed_base is not None:  # uint64 arithmetic wraps modulo 2**64, as the Python loop's `%`
                seeds = np.uint64(seed_base) + np.arange(request_number, request_number + size, dtype=np.uint64)
            started = time.perf_counter()
            outcome = client.native_batch(counts, spec.lo, spec.hi, seeds,
                                          histogram.counts if spec.check_values else None, histogram.bin_width)
            elapsed = time.perf_counter() - started
            done = len(outcome.records)
            request_number += done
            histogram.out_of_range += outcome.out_of_range
            if done:
                parts.append(records_from_native(index, outcome.records, loop.run_start_ns))
                rows += done
                loop.completed += done
                if len(outcome.last_values):
                    last_values = outcome.last_values
            error = outcome.error
            if error is None:
                if elapsed < fast_call_s:
                    batch_size = min(batch_size * 2, MAX_BATCH)
                elif elapsed > fast_call_s * SLOW_OVER_FAST:
                    batch_size = max(1, batch_size // 2)
            elif isinstance(error, Cancelled):
                break
            else:
                request_number += 1
                loop.failed += 1
                batch_size = 1
                count = int(counts[done])
                if isinstance(error, ServerError):
                    parts.append(_failure_record(index, count, loop.run_start_ns, error.code))
                    if len(messages) < 20:
                        messages.append(str(error))
                    if error.code == ErrorCode.BUSY:
                        loop.cancellation.wait(0.01)
                elif isinstance(error, (TransportError, OSError)):
                    parts.append(_failure_record(index, count, loop.run_start_ns, error_code_for(error)))
                    loop.fatal_error = f"client {index}: {error}"
                    messages.append(loop.fatal_error)
                    break
                else:
                    raise error
                rows += 1
            if rows >= BATCH_MAX_RECORDS or now - last_flush >= loop.batch_interval:
                hand_over()
                last_flush = now
    finally:
        client.close()
        if parts or histogram.total or histogram.out_of_range or messages:
            hand_over()
        if loop._owns_cancellation:
            loop.cancellation.close()
