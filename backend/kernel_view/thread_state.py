"""One thread as /proc/PID/task/TID shows it: its state, the system call it is in (number and six
argument registers) and its wait channel, each read on its own so a hidden field hides only itself.
"""

from __future__ import annotations

from typing import NamedTuple

from backend.kernel_view.proc_files import PROC, Gone, Hidden, KeptOpen, read_bytes

STATE_NAMES = {"R": "running", "S": "sleeping", "D": "waiting (uninterruptible)", "T": "stopped",
               "t": "stopped by a tracer", "Z": "zombie", "X": "dead", "I": "idle", "P": "parked",
               "W": "paging", "K": "wakekill"}
IN_USER_SPACE = -1  # /proc/.../syscall says "-1": blocked, but not inside a system call
RUNNING = -2  # /proc/.../syscall says "running"
HIDDEN = -3  # we may not read /proc/.../syscall


class ThreadState(NamedTuple):
    tid: int
    name: str  # the thread's comm
    state: str  # one letter (R, S, D, T, Z, ...)
    syscall: int  # the call's number, or IN_USER_SPACE, RUNNING or HIDDEN
    arguments: list[int]  # the six argument registers ([] unless in a call)
    wait_channel: str | None  # the kernel function it waits in ("0" or "" when none); None: hidden


def parse_stat(text: str) -> tuple[str, str]:
    """(comm, state letter) from a stat line; comm may hold spaces and parentheses."""
    start, end = text.find("("), text.rfind(")")
    return text[start + 1:end], text[end + 2:end + 3]


def parse_syscall(text: str) -> tuple[int, list[int]]:
    fields = text.split()
    if not fields or fields[0] == "running":
        return RUNNING, []
    number = int(fields[0])
    if number < 0:
        return IN_USER_SPACE, []
    return number, [int(value, 16) for value in fields[1:7]]


RawThread = tuple[bytes, bytes | None, bytes | None, bytes | None]  # stat, syscall, wchan, schedstat


def _optional(read, path: str, size: int, when_gone: bytes | None = None) -> bytes | None:
    try:
        return read(path, size)
    except Hidden:
        return None
    except Gone:
        if when_gone is None:
            raise
        return when_gone


def read_raw(pid: int, tid: int, files: KeptOpen | None = None, unchanged: RawThread | None = None) -> RawThread:
    """The thread's files as bytes (None for a hidden one); Gone when the thread has exited.

    With `unchanged` (the previous sample's), the cheapest test comes first: when schedstat (the
    time the thread has run, and how often it was put on a CPU) and its wait channel read exactly
    as before, the thread has not run since and is still asleep where it was, so its state and
    system call cannot have changed: they are not read again. (A thread changes its own state and
    call only by running; a wake-up makes its wait channel read 0.) When schedstat or wchan is
    hidden, stat and syscall are compared instead: same state, same call, same arguments, same user
    stack means still in that very call."""
    base = f"{PROC}/{pid}/task/{tid}/"
    read = files.read if files is not None else read_bytes
    schedstat = _optional(read, base + "schedstat", 256)
    wait_channel = _optional(read, base + "wchan", 256, b"0")  # wchan reads empty for a running task on some kernels
    if (unchanged is not None and schedstat is not None and wait_channel is not None and schedstat == unchanged[3]
            and wait_channel == unchanged[2]):
        return unchanged
    stat = read(base + "stat", 4096)
    syscall = _optional(read, base + "syscall", 512)
    return stat, syscall, wait_channel, schedstat


def parse_thread(tid: int, raw: RawThread) -> ThreadState:
    name, state = parse_stat(raw[0].decode("utf-8", "replace"))
    try:
        syscall, arguments = parse_syscall(raw[1].decode("ascii", "replace")) if raw[1] is not None else (HIDDEN, [])
    except ValueError:
        syscall, arguments = HIDDEN, []
    if syscall == RUNNING:
        state = "R"
    return ThreadState(tid, name, state, syscall, arguments, raw[2].decode("ascii", "replace") if raw[2] is not None else None)


def read_thread(pid: int, tid: int, files: KeptOpen | None = None) -> ThreadState:
    """The thread's state now; raises Gone when it has exited, Hidden when even its state is hidden.
    `files` keeps the three files open between samples (the sampler's way; cheaper)."""
    return parse_thread(tid, read_raw(pid, tid, files))
