"""A cancellation token that wakes threads blocked in poll(), for stopping I/O from another thread."""

from __future__ import annotations

import os
import select
import threading
from typing import Callable


class Cancellation:
    """Set once from any thread; every channel polling with it wakes up at once.

    It owns a pipe whose read end is included in each poll() set; `cancel()` writes one byte so
    that poll returns. Nothing is ever read from it, so it stays readable for every waiter.
    `cancel()` may be called from a signal handler: it takes no lock that the interrupted code
    could be holding (a plain flag and the pipe; callbacks under a re-entrant lock).
    """

    def __init__(self) -> None:
        self._read_fd, self._write_fd = os.pipe()  # not pipe2: macOS has no pipe2
        for fd in (self._read_fd, self._write_fd):
            os.set_blocking(fd, False)
            os.set_inheritable(fd, False)
        self._cancelled = False
        self._lock = threading.RLock()
        self._closed = False
        self._callbacks: dict[int, Callable[[], None]] = {}
        self._next_key = 0

    @property
    def fd(self) -> int:
        """The file descriptor to poll for readability."""
        return self._read_fd

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Wake every waiter and run every registered callback; idempotent and thread-safe."""
        if self._cancelled:
            return
        self._cancelled = True
        if not self._closed:
            try:
                os.write(self._write_fd, b"x")
            except OSError:
                pass
        with self._lock:
            callbacks = list(self._callbacks.values())
            self._callbacks.clear()
        for callback in callbacks:
            try:
                callback()
            except OSError:
                pass

    def add_callback(self, callback: Callable[[], None]) -> int:
        """Call `callback` on cancellation (at once if already cancelled); return a key to remove it.

        Channels blocked in a system call without poll() use this to shut their socket down.
        """
        with self._lock:
            key = self._next_key
            self._next_key += 1
            already = self._cancelled
            if not already:
                self._callbacks[key] = callback
        if already:
            callback()
        return key

    def remove_callback(self, key: int) -> None:
        with self._lock:
            self._callbacks.pop(key, None)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled or the timeout passes; return whether cancelled."""
        if self._cancelled or self._closed:
            return self._cancelled
        poller = select.poll()
        poller.register(self._read_fd, select.POLLIN)
        poller.poll(None if timeout is None else max(0, int(timeout * 1000)))
        return self._cancelled

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            os.close(self._read_fd)
            os.close(self._write_fd)

    def __del__(self) -> None:  # pragma: no cover - safety net only
        try:
            self.close()
        except Exception:
            pass
