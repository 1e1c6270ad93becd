"""The guided tour's client: it keeps what a tour step talks about on screen.

A single exchange is over in a millisecond: its dots vanish and its TCP connection or reply FIFO
is gone before anyone has read the sentence about them. `HeldClient` runs one real client in a
thread of its own that repeats its request every few seconds and stays connected (its connection
or its reply FIFO stays open) until the step is left. Every dot the drawing shows is a real
exchange; nothing is replayed.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, Signal

from backend.clients.client import make_client
from backend.transports.cancel import Cancellation

REPEAT_EVERY_S = 3.0
TIMEOUT_S = 5.0


class HeldClient(QObject):
    """One client that exchanges, holds its channel open, and exchanges again every REPEAT_EVERY_S.

    Signals:
        exchanged(dict): after each exchange: count, lo, hi, values (the first 20), server_pid,
            latency_us, wire (the backend's WireCapture or None), number (1, 2, ...).
        failed(str): the client could not connect or an exchange failed; it stops.
    """

    exchanged = Signal(dict)
    failed = Signal(str)

    def __init__(self, transport: str, address: str, count: int = 5, lo: int = 1, hi: int = 10,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.transport = transport
        self.address = address
        self.count, self.lo, self.hi = count, lo, hi
        self.exchanges = 0
        self._cancellation = Cancellation()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"ipclab-tour-{self.transport}", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def release(self, timeout_s: float = 2.0) -> None:
        """Close the channel and end the thread (waits at most `timeout_s`)."""
        self._cancellation.cancel()
        if self._thread is not None:
            self._thread.join(timeout_s)
        if not self.running:
            self._cancellation.close()

    def _run(self) -> None:
        try:
            client = make_client(self.transport, self.address, timeout=TIMEOUT_S, cancellation=self._cancellation,
                                 capture_wire=True)
        except Exception as error:  # noqa: BLE001 - reported to the tour, never a crash
            self.failed.emit(str(error))
            return
        try:
            while not self._cancellation.cancelled:
                try:
                    result = client.request(self.count, self.lo, self.hi)
                except Exception as error:  # noqa: BLE001
                    if not self._cancellation.cancelled:
                        self.failed.emit(str(error))
                    return
                self.exchanges += 1
                self.exchanged.emit({
                    "number": self.exchanges, "count": result.count, "lo": self.lo, "hi": self.hi,
                    "values": [int(value) for value in np.asarray(result.values[:20]).astype(np.int64)],
                    "server_pid": result.server_pid, "latency_us": result.latency_ns / 1e3,
                    "wire": getattr(client, "last_wire", None),
                })
                if self._cancellation.wait(REPEAT_EVERY_S):
                    return
        finally:
            client.close()
