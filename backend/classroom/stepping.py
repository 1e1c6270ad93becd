"""Step mode and slow motion for a class: pause after each system call of an exchange.

A `Stepper` is told about each step (`step(actor, syscall, sentence, **detail)`): it reports it to
`on_step`, then, by mode, returns at once ("run"), waits for `advance()` ("step") or waits `delay`
seconds ("slow"). The client side (`backend.classroom.traced_exchange`) and the server side
(`ipclab serve ... --step`, `backend.classroom.stepped_servers`) both use it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

MODES = ("run", "step", "slow")


@dataclass(frozen=True)
class Step:
    """One thing a process did, told in a sentence a class can follow."""

    actor: str  # "client" or "server"
    syscall: str  # "mkfifo", "open", "socket", "connect", "accept", "write", "send", "read", "recv",
    #               "close", "unlink", or "generate" (numpy, not a system call)
    sentence: str
    detail: dict = field(default_factory=dict)  # e.g. {"path": ..., "bytes": 48, "fd": 5, "pid": 1234}


class Stepper:
    """Paces the steps of one or more threads; every method is thread-safe.

    `advance()` lets exactly one announced step return (the oldest): an advance while no step is
    pending does nothing, so it can never let a later step slip through unseen. `release()` (on
    stop or close) switches to "run" and wakes every waiter. Waits also end when the mode changes,
    so a wait is always interruptible.
    """

    def __init__(self, on_step: Callable[[Step], None] | None = None, mode: str = "run",
                 delay: float = 0.0) -> None:
        _check_mode(mode)
        self.on_step = on_step
        self.mode = mode
        self.delay = max(0.0, float(delay))
        self._condition = threading.Condition(threading.RLock())  # re-entrant: safe from signal handlers
        self._announced = 0  # tickets handed to steps
        self._released = 0  # every ticket <= this may return
        self._mode_changes = 0

    def step(self, actor: str, syscall: str, sentence: str, **detail: object) -> None:
        """Report a step to `on_step`, then wait as the mode says (never in "run")."""
        with self._condition:
            self._announced += 1
            ticket = self._announced
        if self.on_step is not None:
            self.on_step(Step(actor, syscall, sentence, dict(detail)))
        with self._condition:
            while self._released < ticket:
                mode = self.mode
                if mode == "run":
                    break
                if mode == "slow":
                    changes = self._mode_changes
                    deadline = time.monotonic() + self.delay
                    while (self._released < ticket and self._mode_changes == changes
                           and (remaining := deadline - time.monotonic()) > 0):
                        self._condition.wait(remaining)
                    if self._released >= ticket or self._mode_changes == changes:
                        break  # advanced, or the delay passed
                    continue  # the mode changed meanwhile: wait as the new mode says
                self._condition.wait()
            self._released = max(self._released, ticket)
            self._condition.notify_all()

    def advance(self) -> None:
        """Let the oldest pending step return (nothing happens when no step is pending)."""
        with self._condition:
            if self._released < self._announced:
                self._released += 1
                self._condition.notify_all()

    def set_mode(self, mode: str, delay: float | None = None) -> None:
        """Switch to "run", "step" or "slow" (with `delay` seconds per step, if given)."""
        _check_mode(mode)
        with self._condition:
            self.mode = mode
            if delay is not None:
                self.delay = max(0.0, float(delay))
            self._mode_changes += 1
            self._condition.notify_all()

    def release(self) -> None:
        """Run freely from now on and wake every waiting step (used on stop and close)."""
        self.set_mode("run")

    @property
    def pending(self) -> int:
        """How many announced steps are still waiting (or about to wait)."""
        with self._condition:
            return self._announced - self._released


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown step mode {mode!r}; expected one of {', '.join(MODES)}")
