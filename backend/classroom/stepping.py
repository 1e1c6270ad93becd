"""Step mode and slow motion for a class: pause after each system call of an exchange.

A `Stepper` is told about each step (`step(actor, syscall, sentence, time_ns=..., **detail)`) right
after the system call returned: it stamps the step with this process's pid, its thread and a
number (1, 2, 3... in the order this process made its calls), reports it to `on_step`, then, by
mode, returns at once ("run"), waits for `advance()` ("step") or waits `delay` seconds ("slow").
The client side (`backend.classroom.traced_exchange`) and the server side
(`ipclab serve ... --step`, `backend.classroom.stepped_servers`) both use it.

`time_ns` is `time.monotonic_ns()`: CLOCK_MONOTONIC, one clock for every process on a Linux
machine, so the client's and the server's steps can be merged (`backend.classroom.step_order`).
A sentence given as `backend.sentence_words.Words` keeps its English template and fields
(`Step.words`, the `words` of a record) so that the GUI can show it in the chosen language.
A step that moved bytes says which: `sends=("request", 48)` means "after this call the other side
can have the first 48 bytes of the request"; `receives=("request", 0)` means "this call got bytes
of the request starting at byte 0". A connection counts as one byte of the stream "connection".
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from backend.sentence_words import Words, words_from_record

MODES = ("run", "step", "slow")
ACTORS = ("client", "server")
RECORD_FIELDS = ("flags", "path", "fd", "bytes")  # detail entries a trace line shows at its top level

Mark = tuple[str, int]  # (stream, byte offset): see the module's docstring


@dataclass(frozen=True)
class Step:
    """One system call a process made, told in a sentence a class can follow."""

    actor: str  # "client" or "server"
    syscall: str  # the kernel's name for the call, as strace shows it: "openat", "mknodat", "readv",
    #               "recvfrom", "accept4"... or "generate" (numpy, not a system call)
    sentence: str
    detail: dict = field(default_factory=dict)  # e.g. {"path": ..., "flags": "O_RDWR|O_NONBLOCK", "fd": 5, "bytes": 48}
    time_ns: int = 0  # time.monotonic_ns() when the call returned
    pid: int = 0
    thread: int = 0  # the kernel's thread id (strace -f shows it)
    number: int = 0  # 1, 2, 3... in the order this process reported its steps
    sends: Mark | None = None
    receives: Mark | None = None
    words: Words | None = None  # how `sentence` was built, for a display that translates it

    def to_record(self) -> dict:
        """The step as one flat JSON-ready dict (a line of `ipclab request --trace`)."""
        record: dict = {"actor": self.actor, "pid": self.pid, "tid": self.thread, "number": self.number,
                        "syscall": self.syscall}
        for name in RECORD_FIELDS:
            record[name] = self.detail.get(name)
        record["time_ns"] = self.time_ns
        record["sentence"] = self.sentence
        record["sends"] = list(self.sends) if self.sends else None
        record["receives"] = list(self.receives) if self.receives else None
        record["detail"] = {key: value for key, value in self.detail.items() if key not in RECORD_FIELDS}
        record["words"] = self.words.to_record() if self.words is not None else None
        return record


def step_from_record(record: dict) -> Step:
    """The `Step` a record (a server's `step` event line) describes; ValueError if it is not one."""
    try:
        actor, syscall, sentence = record["actor"], record["syscall"], record["sentence"]
        numbers = [record.get(name, 0) for name in ("time_ns", "pid", "tid", "number")]
        detail = dict(record.get("detail") or {})
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ValueError("not a step record") from None
    if actor not in ACTORS or not isinstance(syscall, str) or not isinstance(sentence, str):
        raise ValueError("a step record needs actor (client or server), syscall and sentence")
    if not all(isinstance(number, int) and number >= 0 for number in numbers):
        raise ValueError("a step record's time_ns, pid, tid and number are whole numbers >= 0")
    for name in RECORD_FIELDS:
        if record.get(name) is not None:
            detail[name] = record[name]
    words = words_from_record(record["words"]) if record.get("words") is not None else None
    return Step(actor, syscall, sentence, detail, *numbers, sends=_mark(record.get("sends")),
                receives=_mark(record.get("receives")), words=words)


def _mark(value: object) -> Mark | None:
    if value is None:
        return None
    if (isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], int) and value[1] >= 0):
        return (value[0], value[1])
    raise ValueError(f"a stream mark is [stream, offset], got {value!r}")


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

    def step(self, actor: str, syscall: str, sentence: str | Words, *, time_ns: int | None = None,
             sends: Mark | None = None, receives: Mark | None = None, **detail: object) -> None:
        """Report a step to `on_step`, then wait as the mode says (never in "run").

        `time_ns`: `time.monotonic_ns()` taken right after the system call returned (default: now).
        `sentence` given as `Words` is told in English and keeps its template for translation.
        """
        words = sentence if isinstance(sentence, Words) else None
        text = sentence.render() if isinstance(sentence, Words) else sentence
        returned_ns = time.monotonic_ns() if time_ns is None else time_ns
        with self._condition:
            self._announced += 1
            ticket = self._announced
        if self.on_step is not None:
            self.on_step(Step(actor, syscall, text, dict(detail), returned_ns, os.getpid(),
                              threading.get_native_id(), ticket, sends, receives, words))
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
