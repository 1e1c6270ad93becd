"""A cancellation token that wakes threads blocked in poll(), for stopping I/O from another thread."""

from __future__ import annotations

import os
import threading
from typing import Callable


class Cancellation:
    """Set once from any thread; every channel polling with it wakes up at once.

    It owns a pipe whose read end is included in each poll() set; `cancel()` writes one byte so
    that poll returns. Nothing is ever read from it, so it stays readable for every waiter.
    """

    def __init__(self) -> None:
        self._read_fd, self._write_fd = os.pipe()  # not pipe2: macOS has no pipe2
        for fd in (self._read_fd, self._write_fd):
            os.set_blocking(fd, False)
            os.set_inheritable(fd, False)
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._closed = False
        self._callbacks: dict[int, Callable[[], None]] = {}
        self._next_key = 0

    @property
    def fd(self) -> int:
        """The file descriptor to poll for readability."""
        return self._read_fd

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        """Wake every waiter and run every registered callback; idempotent and thread-safe."""
        with self._lock:
            if self._event.is_set() or self._closed:
                self._event.set()
                return
            self._event.set()
            try:
                os.write(self._write_fd, b"x")
            except OSError:
                pass
            callbacks = list(self._callbacks.values())
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
            already = self._event.is_set()
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
        return self._event.wait(timeout)

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
