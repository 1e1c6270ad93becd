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


RawThread = tuple[bytes, bytes | None, bytes | None]


def read_raw(pid: int, tid: int, files: KeptOpen | None = None, unchanged: RawThread | None = None) -> RawThread:
    """The three files as bytes (None for a hidden one); Gone when the thread has exited. When its
    stat and syscall read exactly as in `unchanged` (same state, same call, same arguments, same
    user stack), the thread is still in that very call: the wait channel is not read again."""
    base = f"{PROC}/{pid}/task/{tid}/"
    read = files.read if files is not None else read_bytes
    stat = read(base + "stat", 4096)
    try:
        syscall: bytes | None = read(base + "syscall", 512)
    except Hidden:
        syscall = None
    if unchanged is not None and unchanged[0] == stat and unchanged[1] == syscall:
        return unchanged
    try:
        wait_channel: bytes | None = read(base + "wchan", 256)
    except Hidden:
        wait_channel = None
    except Gone:
        wait_channel = b"0"  # wchan reads empty for a running task on some kernels
    return stat, syscall, wait_channel


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
