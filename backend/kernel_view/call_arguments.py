"""The arguments of the system call a thread is blocked in, decoded where it matters for a class:
a descriptor becomes what it is (a FIFO's path, a pipe, a socket's addresses), open flags become
their names, a path or a poll set is read from the process's memory (/proc/PID/mem, with the
permission needed to trace it; "not visible" otherwise), a timeout becomes seconds.
"""

from __future__ import annotations

import os
import struct
from typing import Callable, NamedTuple

from backend.kernel_view.process_descriptors import Descriptor
from backend.kernel_view.open_flags import decode_open_flags
from backend.kernel_view.proc_files import PROC, Gone, Hidden, read_c_string, read_link, read_memory

AT_FDCWD = -100
MAX_POLL_ENTRIES = 16
POLL_EVENTS = {0x1: "POLLIN", 0x2: "POLLPRI", 0x4: "POLLOUT", 0x8: "POLLERR", 0x10: "POLLHUP"}
FUTEX_OPERATIONS = {0: "FUTEX_WAIT", 1: "FUTEX_WAKE", 9: "FUTEX_WAIT_BITSET", 6: "FUTEX_LOCK_PI",
                    11: "FUTEX_WAIT_REQUEUE_PI"}
# Calls whose first argument is the descriptor they act on, and whether they move data out of it.
_READING = {"read", "readv", "pread64", "preadv", "preadv2", "recvfrom", "recvmsg", "recvmmsg"}
_WRITING = {"write", "writev", "pwrite64", "pwritev", "pwritev2", "sendto", "sendmsg", "sendmmsg", "sendfile",
            "splice"}
_ON_DESCRIPTOR = _READING | _WRITING | {"accept", "accept4", "connect", "close", "fcntl", "ioctl", "fsync",
                                        "flock", "epoll_wait", "epoll_pwait", "epoll_pwait2"}


class Argument(NamedTuple):
    name: str
    value: int | str
    meaning: str  # in words ("" when the raw value says it all)


class DecodedCall(NamedTuple):
    arguments: list[Argument]
    subject: str  # what the call acts on, for "blocked in read() on <subject>" ("" when none)
    fd: int | None  # the descriptor it acts on, if one
    direction: str  # "read", "write", "open", "accept", "connect", "poll", "wait" or ""
    watched: list[tuple[int, str]]  # poll/ppoll: (fd, events) it waits on


def signed32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def _poll_set(pid: int, address: int, count: int) -> list[tuple[int, str]]:
    count = max(0, min(count, MAX_POLL_ENTRIES))
    data = read_memory(pid, address, 8 * count)
    found = []
    for index in range(len(data) // 8):
        fd, events, _ = struct.unpack_from("=ihh", data, 8 * index)
        found.append((fd, "|".join(name for bit, name in POLL_EVENTS.items() if events & bit) or "0"))
    return found


def _timespec(pid: int, address: int) -> str:
    if not address:
        return "no timeout"
    seconds, nanoseconds = struct.unpack("=qq", read_memory(pid, address, 16))
    return f"timeout {seconds + nanoseconds / 1e9:g} s"


def decode_call(pid: int, name: str, raw: list[int], descriptor: Callable[[int], Descriptor | None]) -> DecodedCall:
    """Decode `raw` (the six argument registers) of call `name` made by `pid`."""
    arguments: list[Argument] = []
    subject, fd, direction, watched = "", None, "", []

    def describe_fd(number: int) -> str:
        found = descriptor(number)
        return found.name if found is not None else "not visible"

    try:
        if name in _ON_DESCRIPTOR and raw:
            fd = signed32(raw[0])
            subject = describe_fd(fd)
            arguments.append(Argument("fd", fd, subject))
            direction = ("read" if name in _READING else "write" if name in _WRITING else
                         "accept" if name.startswith("accept") else "connect" if name == "connect" else
                         "poll" if name.startswith("epoll") else "")
            if name in ("read", "write", "pread64", "pwrite64", "recvfrom", "sendto") and len(raw) > 2:
                arguments.append(Argument("count", raw[2], f"{raw[2]} bytes"))
            if name.startswith("epoll") and len(raw) > 3:
                arguments.append(Argument("timeout", signed32(raw[3]), _milliseconds(signed32(raw[3]))))
        elif name in ("openat", "open", "openat2"):
            direction = "open"
            path_register, flags_register = (0, 1) if name == "open" else (1, 2)
            if name == "openat":
                directory = signed32(raw[0])
                arguments.append(Argument("dirfd", directory, "the current directory" if directory == AT_FDCWD
                                          else describe_fd(directory)))
            try:
                path = read_c_string(pid, raw[path_register])
            except (Hidden, Gone):
                path = ""
            subject = os.path.basename(path.rstrip("/")) or path or "a path (not visible)"
            arguments.append(Argument("path", path or "not visible", _resolved(pid, path, raw[0], name)))
            if name != "openat2":
                flags = raw[flags_register] & 0xFFFFFFFF
                arguments.append(Argument("flags", flags, "|".join(decode_open_flags(flags))))
        elif name in ("poll", "ppoll"):
            direction = "poll"
            try:
                watched = _poll_set(pid, raw[0], raw[1])
            except (Hidden, Gone):
                watched = []
            arguments.append(Argument("nfds", raw[1], ", ".join(f"fd {number} ({describe_fd(number)}) for {events}"
                                                                  for number, events in watched) or "not visible"))
            if name == "poll":
                arguments.append(Argument("timeout", signed32(raw[2]), _milliseconds(signed32(raw[2]))))
            else:
                arguments.append(Argument("timeout", raw[2], _safe(lambda: _timespec(pid, raw[2]))))
            named = [(describe_fd(number), events) for number, events in watched if number >= 0]
            telling = [(name, events) for name, events in named if name != "its own wake-up pipe"] or named
            subject = " and ".join(f"{name} ({_purpose(name, events)})" for name, events in telling)
        elif name in ("select", "pselect6"):
            direction = "poll"
            arguments.append(Argument("nfds", raw[0], f"descriptors below {raw[0]}"))
        elif name in ("futex", "futex_wait"):
            direction = "wait"
            operation = raw[1] & 0x7F if name == "futex" else 0
            arguments.append(Argument("op", raw[1], FUTEX_OPERATIONS.get(operation, str(operation))
                                      + (" (private)" if raw[1] & 0x80 else "")))
        elif name in ("wait4", "waitid"):
            direction = "wait"
            arguments.append(Argument("pid", signed32(raw[0] if name == "wait4" else raw[1]), ""))
        elif name in ("clock_nanosleep", "nanosleep"):
            direction = "wait"
    except (IndexError, struct.error):
        pass
    return DecodedCall(arguments, subject, fd, direction, watched)


def _resolved(pid: int, path: str, directory: int, name: str) -> str:
    """The absolute path a relative `path` names (from the process's working directory)."""
    if not path or path.startswith("/") or (name == "openat" and signed32(directory) != AT_FDCWD):
        return ""
    try:
        return os.path.join(read_link(f"{PROC}/{pid}/cwd"), path)
    except (Gone, Hidden):
        return ""


def _purpose(name: str, events: str) -> str:
    """What a poll entry waits for, in words."""
    if "POLLOUT" in events:
        return "for room to write"
    return "for a connection" if name.startswith("listening") else "for data"


def _milliseconds(value: int) -> str:
    return "no timeout" if value < 0 else f"timeout {value / 1000:g} s"


def _safe(compute: Callable[[], str]) -> str:
    try:
        return compute()
    except (Hidden, Gone, struct.error):
        return "not visible"
