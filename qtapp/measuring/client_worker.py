"""Clients in QThreads: `ClientWorker` runs one client's share of a workload; `RunController`
runs a whole workload (one worker and QThread per concurrent client) and stops it at once.

Workers never touch widgets: they put batches into the model's `BatchInbox`, which the GUI drains
on a timer. A shared `Cancellation` interrupts blocked reads and writes, so Stop takes effect
within milliseconds.
"""

from __future__ import annotations

import itertools
import os
import threading
import time

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from backend.clients.client import make_client
from backend.measuring.runner import (
    RANDOM_COUNT_RANGE,
    RECORD_DTYPE,
    ExchangeBatch,
    ExchangeLoop,
    WorkloadSpec,
    failure_record,
    hand_over_interval,
    success_record,
)
from backend.measuring.stats import ValueHistogram
from backend.protocol.engine import ServerError
from backend.transports.base import Cancelled, TransportError
from backend.transports.cancel import Cancellation
from qtapp.measuring import client_threads
from qtapp.measuring.model import BatchInbox, InboxItem

_run_numbers = itertools.count(1)
WORKER_NICENESS = 10  # workers and the servers the GUI starts yield the CPU to the GUI thread (Linux: per thread)

SINGLE_VALUES_IN_MEMORY = 65_536  # a single exchange asking for more streams its values into the histogram

def lower_thread_priority() -> None:
    """Make the calling thread nicer than the GUI thread, so a busy run never starves the GUI."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICENESS)
    except (AttributeError, OSError):
        pass


class ClientWorker(QObject):
    """One client of a workload, living in its own QThread; `run` blocks that thread until done."""

    finished = Signal(int, str, float)  # client index, fatal error ("" when none), time.monotonic() at return

    def __init__(self, spec: WorkloadSpec, address: str, client_index: int, cancellation: Cancellation,
                 run_start_ns: int, inbox: BatchInbox, run_id: int, capture_wire: bool = False) -> None:
        super().__init__()
        self.client_index = client_index
        self.run_id = run_id
        self._inbox = inbox
        self._transport = spec.transport
        self._spec = spec
        self._address = address
        self._cancellation = cancellation
        self._run_start_ns = run_start_ns
        self._capture_wire = capture_wire
        self.wire = None  # the WireCapture of a single exchange (capture_wire=True)
        self._loop = ExchangeLoop(spec, address, client_index, cancellation, run_start_ns)
        self._loop.batch_interval = hand_over_interval(spec.concurrency)

    def _deliver(self, batch: ExchangeBatch) -> None:
        self._inbox.put(InboxItem(self.run_id, self._transport, batch))

    @Slot()
    def run(self) -> None:
        lower_thread_priority()
        thread_key = f"{self._transport}:{self.run_id}:{self.client_index}"
        client_threads.register(thread_key)  # the kernel view finds this thread by its drawn key
        error = ""
        try:
            if self._capture_wire:
                error = self._run_single()
            else:
                self._loop.run(self._deliver)
                error = self._loop.fatal_error or ""
        except Exception as exception:  # noqa: BLE001 - reported to the GUI, never a crash
            error = f"client {self.client_index}: {exception}"
        client_threads.unregister(thread_key)
        self.finished.emit(self.client_index, error, time.monotonic())


    def _run_single(self) -> str:
        """One exchange whose frames are captured for the wire view; delivered like a loop's batch."""
        spec = self._spec
        count = spec.count
        if count is None:
            count = int(np.random.default_rng().integers(RANDOM_COUNT_RANGE[0], RANDOM_COUNT_RANGE[1], endpoint=True))
        try:
            client = make_client(spec.transport, self._address, timeout=spec.timeout, cancellation=self._cancellation,
                                 capture_wire=True)
        except TypeError:  # a backend without wire capture: the exchange still happens
            client = make_client(spec.transport, self._address, timeout=spec.timeout, cancellation=self._cancellation)
        histogram = ValueHistogram(spec.lo, spec.hi)
        rows: list[tuple] = []
        messages: list[str] = []
        last_values = np.empty(0, dtype=np.int32)
        error = ""
        start_ns = self._run_start_ns
        first_values: list[np.ndarray] = []

        def count_values(values: np.ndarray) -> None:  # a large reply is counted chunk by chunk
            histogram.add(values)
            if not first_values:
                first_values.append(values[:20].astype(np.int32))

        streamed = count > SINGLE_VALUES_IN_MEMORY
        try:
            result = client.request(count, spec.lo, spec.hi, spec.seed, sink=count_values if streamed else None)
        except Cancelled:
            pass
        except ServerError as failure:
            rows.append(failure_record(0, count, start_ns, failure.code))
            messages.append(str(failure))
        except (TransportError, OSError) as failure:
            rows.append(failure_record(0, count, start_ns, 1))
            error = f"client 0: {failure}"
            messages.append(error)
        else:
            if streamed:
                last_values = first_values[0] if first_values else last_values
            elif count:
                histogram.add(result.values)
                last_values = result.values[:20].astype(np.int32)
            rows.append(success_record(0, result, start_ns))
        finally:
            self.wire = getattr(client, "last_wire", None)
            client.close()
        records = np.array(rows, dtype=RECORD_DTYPE) if rows else np.empty(0, dtype=RECORD_DTYPE)
        self._deliver(ExchangeBatch(0, records, histogram, last_values, client.server_pid, messages))
        return error


class RunController(QObject):
    """Runs one workload on one transport with `spec.concurrency` client threads.

    Signals:
        finished(int run_id, list errors): every client has returned (done, stopped or failed).
    """

    finished = Signal(int, list)

    def __init__(self, spec: WorkloadSpec, address: str, inbox: BatchInbox, run_start_ns: int,
                 parent: QObject | None = None, capture_wire: bool = False) -> None:
        super().__init__(parent)
        spec.check()
        self.capture_wire = capture_wire and spec.concurrency == 1 and spec.requests == 1
        self.wire = None
        self.spec = spec
        self.address = address
        self.run_id = next(_run_numbers)
        self.client_pid = os.getpid()
        self.started_at = 0.0
        self.stop_requested_at = 0.0
        self.errors: list[str] = []
        self.last_client_returned_at = 0.0
        self._inbox = inbox
        self._run_start_ns = run_start_ns
        self._cancellation = Cancellation()
        self._threads: list[QThread] = []
        self._workers: list[ClientWorker] = []
        self._running = 0

    @property
    def transport(self) -> str:
        return self.spec.transport

    @property
    def running(self) -> bool:
        return self._running > 0

    @property
    def stopped(self) -> bool:
        return self._cancellation.cancelled

    def start(self) -> None:
        self.started_at = time.monotonic()
        for index in range(self.spec.concurrency):
            thread = QThread(self)
            thread.setObjectName(f"ipclab-{self.spec.transport}-client-{index}")
            worker = ClientWorker(self.spec, self.address, index, self._cancellation, self._run_start_ns,
                                  self._inbox, self.run_id, self.capture_wire)
            worker.moveToThread(thread)
            thread.started.connect(worker.run)
            worker.finished.connect(self._on_worker_finished)
            thread.finished.connect(worker.deleteLater)
            self._threads.append(thread)
            self._workers.append(worker)
        self._running = len(self._threads)
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop every client now: blocked I/O is interrupted; `finished` follows within milliseconds."""
        if not self.stop_requested_at:
            self.stop_requested_at = time.monotonic()
        self._cancellation.cancel()

    def shutdown(self, timeout_s: float = 1.0) -> bool:
        """Stop and wait for every thread (blocking; for app exit). Returns whether all ended."""
        self.stop()
        deadline = time.monotonic() + timeout_s
        ended = True
        for thread in self._threads:
            remaining_ms = max(0, int((deadline - time.monotonic()) * 1000))
            thread.quit()
            ended = thread.wait(remaining_ms) and ended
        if ended:
            self._release()
        return ended

    @property
    def stop_latency_s(self) -> float | None:
        """Seconds from stop() until the last client thread had returned (None if not stopped)."""
        if not self.stop_requested_at or self.running:
            return None
        return max(0.0, self.last_client_returned_at - self.stop_requested_at)

    def _on_worker_finished(self, client_index: int, error: str, returned_at: float) -> None:
        self.last_client_returned_at = max(self.last_client_returned_at, returned_at)
        if error:
            self.errors.append(error)
        if client_index < len(self._workers) and self._workers[client_index].wire is not None:
            self.wire = self._workers[client_index].wire
        if client_index < len(self._threads):
            thread = self._threads[client_index]
            thread.quit()
            thread.wait(1000)  # its worker has returned: the thread ends at once
        self._running -= 1
        if self._running == 0:
            self._release()
            self.finished.emit(self.run_id, list(self.errors))

    def _release(self) -> None:
        if self._threads:
            for thread in self._threads:
                thread.deleteLater()
            self._threads = []
            self._workers = []
            self._cancellation.close()
