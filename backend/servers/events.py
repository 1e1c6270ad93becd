"""Server event lines: one JSON object per line on stdout, never limiting throughput.

`ready` and `stopped` are always printed. Per-exchange events (`request`, `reply_sent`) and per-client
events (`client_connected`, `client_gone`, `client_error`) are printed as they happen up to a modest
rate; above it they are only counted, and a `stats` event once a second reports totals, rates and
how many lines were suppressed. Modes: `all` (everything, rate-limited), `summary` (no per-exchange
lines: ready, stats, client errors, stopped), `none` (ready and stopped only).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from typing import BinaryIO, Callable

EVENT_MODES = ("all", "summary", "none")
EXCHANGE_EVENTS = frozenset({"request", "reply_sent"})
CLIENT_EVENTS = frozenset({"client_connected", "client_gone", "client_error"})
DEFAULT_LINES_PER_SECOND = 100
STATS_INTERVAL = 1.0
QUEUED_LINES = 1000  # lines waiting for a slow reader of stdout; beyond this they are dropped


class EventWriter:
    """Thread-safe writer of event lines with rate limiting and periodic `stats` events.

    Lines are written by a thread of their own from a bounded queue: a reader that stops reading
    (a paused terminal, a stalled GUI) never blocks a thread that serves clients, and never stops
    the server from shutting down; what does not fit in the queue is counted as suppressed.
    """

    def __init__(
        self,
        stream: BinaryIO,
        mode: str = "all",
        lines_per_second: int = DEFAULT_LINES_PER_SECOND,
        on_broken: Callable[[], None] | None = None,
    ) -> None:
        if mode not in EVENT_MODES:
            raise ValueError(f"unknown events mode {mode!r}; expected one of {', '.join(EVENT_MODES)}")
        self.stream = stream
        self.mode = mode
        self.exchange_lines = mode == "all"  # servers skip building per-exchange fields otherwise
        self.lines_per_second = lines_per_second
        self.on_broken = on_broken
        self._lock = threading.Lock()
        self._window_start = time.monotonic()
        self._window_lines = 0
        self.suppressed = 0
        self.requests = 0
        self.numbers = 0
        self.bytes_sent = 0
        self.errors = 0
        self.clients_active = 0
        self.clients_total = 0
        self._last_stats = (time.monotonic(), 0, 0, 0)
        self._broken = False
        self._ticker: threading.Thread | None = None
        self._last_marker: tuple[int, int, int] | None = None  # activity seen by the last stats tick
        self._stop = threading.Event()
        self._lines: queue.Queue[bytes | None] = queue.Queue(QUEUED_LINES)
        self._writer = threading.Thread(target=self._drain, name="ipclab-events", daemon=True)
        self._writer.start()

    # -- writing ----------------------------------------------------------------------------
    def _write(self, event: str, fields: dict) -> None:
        record = {"event": event, "time": round(time.time(), 6)}
        record.update(fields)
        line = json.dumps(record, separators=(",", ":")).encode() + b"\n"
        try:
            self._lines.put_nowait(line)
        except queue.Full:
            self.suppressed += 1

    def _drain(self) -> None:
        """The writer thread: one line at a time to the stream, until close()."""
        while True:
            line = self._lines.get()
            if line is None:
                return
            if self._broken:
                continue
            try:
                self.stream.write(line)
                self.stream.flush()
            except (BrokenPipeError, OSError, ValueError):
                self._broken = True  # the reader is gone: our owner is gone, so stop
                if self.on_broken is not None:
                    self.on_broken()

    def close(self, timeout: float = 1.0) -> None:
        """Write what is queued (waiting at most `timeout` for a slow reader), then stop."""
        try:
            self._lines.put(None, timeout=timeout)
        except queue.Full:
            return
        self._writer.join(timeout)

    def emit(self, event: str, **fields: object) -> None:
        """Print an event that is always shown (ready, stopped, server errors)."""
        with self._lock:
            self._write(event, fields)

    def _allowed(self) -> bool:
        now = time.monotonic()
        if now - self._window_start >= 1.0:
            self._window_start = now
            self._window_lines = 0
        if self._window_lines < self.lines_per_second:
            self._window_lines += 1
            return True
        self.suppressed += 1
        return False

    def exchange(self, event: str, **fields: object) -> None:
        """A per-exchange event: printed in `all` mode within the rate, counted otherwise."""
        if self.mode != "all":
            return
        with self._lock:
            if self._allowed():
                self._write(event, fields)

    def client(self, event: str, **fields: object) -> None:
        """A per-client event: printed in `all` mode (and errors in `summary`) within the rate."""
        with self._lock:
            if event == "client_connected":
                self.clients_active += 1
                self.clients_total += 1
            elif event == "client_gone":
                self.clients_active = max(0, self.clients_active - 1)
            elif event == "client_error":
                self.errors += 1
            if self.mode == "none" or (self.mode == "summary" and event != "client_error"):
                return
            if self._allowed():
                self._write(event, fields)

    def count_reply(self, numbers: int, bytes_sent: int) -> None:
        """Account one served request for the `stats` events."""
        with self._lock:
            self.requests += 1
            self.numbers += numbers
            self.bytes_sent += bytes_sent

    def count_replies(self, requests: int, numbers: int, bytes_sent: int, suppressed_lines: int = 0) -> None:
        """Account several served requests at once (the native engine's totals)."""
        with self._lock:
            self.requests += requests
            self.numbers += numbers
            self.bytes_sent += bytes_sent
            self.suppressed += suppressed_lines

    # -- periodic stats ---------------------------------------------------------------------
    def stats_fields(self) -> dict:
        now = time.monotonic()
        then, requests, numbers, sent = self._last_stats
        elapsed = max(now - then, 1e-9)
        self._last_stats = (now, self.requests, self.numbers, self.bytes_sent)
        return {
            "requests": self.requests, "numbers": self.numbers, "bytes": self.bytes_sent,
            "errors": self.errors, "clients_active": self.clients_active, "clients_total": self.clients_total,
            "requests_per_s": round((self.requests - requests) / elapsed, 1),
            "numbers_per_s": round((self.numbers - numbers) / elapsed, 1),
            "bytes_per_s": round((self.bytes_sent - sent) / elapsed, 1),
            "suppressed_lines": self.suppressed,
        }

    def _tick(self) -> None:
        last_requests = -1
        while not self._stop.wait(STATS_INTERVAL):
            with self._lock:
                if self.requests == last_requests and not self._activity_changed():
                    self._last_stats = (time.monotonic(), self.requests, self.numbers, self.bytes_sent)
                    continue
                last_requests = self.requests
                fields = self.stats_fields()
                if self.mode != "none":
                    self._write("stats", fields)

    def _activity_changed(self) -> bool:
        marker = (self.clients_active, self.errors, self.suppressed)
        changed = marker != self._last_marker
        self._last_marker = marker
        return changed

    def start_stats(self) -> None:
        """Start the background thread that prints `stats` once a second while there is activity."""
        self._ticker = threading.Thread(target=self._tick, name="ipclab-stats", daemon=True)
        self._ticker.start()

    def stop_stats(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
