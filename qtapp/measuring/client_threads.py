"""Which kernel thread runs each client: the native thread id (TID) of every client worker and
background call, by the key the architecture view draws it under, so the kernel view can say what
that very thread is doing. Plain Python, thread-safe; entries leave when their thread ends."""

from __future__ import annotations

import threading

_lock = threading.Lock()
_threads: dict[str, int] = {}


def register(key: str, native_id: int | None = None) -> None:
    """Record that the calling thread (or `native_id`) is the one drawn as `key`."""
    with _lock:
        _threads[key] = native_id if native_id is not None else threading.get_native_id()


def unregister(key: str) -> None:
    with _lock:
        _threads.pop(key, None)


def native_id(key: str) -> int | None:
    with _lock:
        return _threads.get(key)


def all_threads() -> dict[str, int]:
    with _lock:
        return dict(_threads)
