"""A process's open descriptors: /proc/PID/fd (what each one is) and /proc/PID/fdinfo (its flags).

Each descriptor is classified the way the GUI draws channels: a FIFO on disk (by path and inode),
an anonymous pipe (pipe:[inode]), a socket (socket:[inode], matched against the kernel's socket
tables), a device, a file, or an anonymous inode (eventfd, epoll). Nothing is ever opened: the
FIFO's type and inode come from stat() through the /proc link, which does not open it.
"""

from __future__ import annotations

import os
import re
import stat
from typing import Callable, NamedTuple

from backend.kernel_view.open_flags import access_mode, decode_open_flags
from backend.kernel_view.proc_files import PROC, Gone, Hidden, list_directory, read_link, read_text
from backend.kernel_view.socket_tables import SocketEndpoint

_BRACKETED = re.compile(r"(pipe|socket):\[(\d+)\]$")


class Descriptor(NamedTuple):
    fd: int
    target: str  # what the link says: a path, "pipe:[123]", "socket:[456]", "anon_inode:[eventfd]"
    kind: str  # "fifo", "pipe", "tcp", "tcp6", "unix", "socket", "file", "directory", "device", "anon", "unknown"
    inode: int | None
    flags: list[str]  # ["O_RDWR", "O_NONBLOCK", ...]; [] when fdinfo is hidden
    access: str  # "O_RDONLY", "O_WRONLY", "O_RDWR" or "?"
    endpoint: SocketEndpoint | None  # for a socket found in the kernel's tables
    both_ends: bool = False  # a pipe whose two ends this same process holds (a wake-up pipe)

    @property
    def name(self) -> str:
        """A short name for a class: a FIFO's file name, "pipe", "TCP 127.0.0.1:5000", ..."""
        return describe(self)


def describe(descriptor: Descriptor) -> str:
    kind, endpoint = descriptor.kind, descriptor.endpoint
    if kind == "fifo":
        return os.path.basename(descriptor.target.removesuffix(" (deleted)"))
    if kind == "pipe":
        return "its own wake-up pipe" if descriptor.both_ends else f"a pipe (inode {descriptor.inode})"
    if endpoint is not None and kind in ("tcp", "tcp6"):
        if endpoint.listening:
            return f"listening TCP socket {endpoint.local}"
        return f"TCP {endpoint.local} → {endpoint.remote}"
    if endpoint is not None and kind == "unix":
        role = "listening Unix socket" if endpoint.listening else "Unix socket"
        return f"{role} {endpoint.local}" if endpoint.local else f"{role} (unnamed end)"
    if kind == "socket":
        return f"a socket (inode {descriptor.inode})"
    if kind == "anon":
        return descriptor.target.removeprefix("anon_inode:").strip("[]")
    return descriptor.target


def _classify(pid: int, fd: int, target: str) -> tuple[str, int | None]:
    bracketed = _BRACKETED.match(target)
    if bracketed:
        return bracketed[1], int(bracketed[2])
    if target.startswith("anon_inode:"):
        return "anon", None
    if not target.startswith("/"):
        return "unknown", None
    try:
        info = os.stat(f"{PROC}/{pid}/fd/{fd}")  # follows the link to the inode; opens nothing
    except OSError:
        return "file", None
    if stat.S_ISFIFO(info.st_mode):
        return "fifo", info.st_ino
    if stat.S_ISDIR(info.st_mode):
        return "directory", info.st_ino
    if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
        return "device", info.st_ino
    if stat.S_ISSOCK(info.st_mode):
        return "socket", info.st_ino
    return "file", info.st_ino


def fdinfo_flags(pid: int, fd: int) -> int | None:
    """The descriptor's open flags (fdinfo's octal `flags:` line), None when hidden or gone."""
    try:
        text = read_text(f"{PROC}/{pid}/fdinfo/{fd}", limit=4096)
    except (Gone, Hidden):
        return None
    for line in text.splitlines():
        if line.startswith("flags:"):
            return int(line.split()[1], 8)
    return None


def read_descriptor(pid: int, fd: int, sockets: Callable[[], dict[int, SocketEndpoint]] | None = None,
                    with_flags: bool = True) -> Descriptor:
    """One descriptor of `pid`; Gone or Hidden when it cannot be seen. `sockets` gives the socket
    tables (called only when the descriptor is a socket)."""
    target = read_link(f"{PROC}/{pid}/fd/{fd}")
    kind, inode = _classify(pid, fd, target)
    endpoint = None
    if kind == "socket" and inode is not None and sockets is not None:
        endpoint = sockets().get(inode)
        if endpoint is not None:
            kind = endpoint.family
    flags = fdinfo_flags(pid, fd) if with_flags else None
    names = decode_open_flags(flags) if flags is not None else []
    return Descriptor(fd, target, kind, inode, names, access_mode(flags) if flags is not None else "?", endpoint)


def read_descriptors(pid: int, sockets: Callable[[], dict[int, SocketEndpoint]] | None = None,
                     with_flags: bool = True, known: dict[int, Descriptor] | None = None) -> list[Descriptor]:
    """Every open descriptor of `pid`, in fd order (those that close while we look are skipped).
    A descriptor in `known` whose link still reads the same is reused as it is (no stat, no fdinfo).
    Raises Hidden when the process's descriptors may not be listed, Gone when it has exited."""
    found = []
    known = known or {}
    for entry in sorted(list_directory(f"{PROC}/{pid}/fd"), key=lambda name: int(name) if name.isdigit() else -1):
        if not entry.isdigit():
            continue
        fd = int(entry)
        try:
            previous = known.get(fd)
            if previous is not None and read_link(f"{PROC}/{pid}/fd/{fd}") == previous.target:
                found.append(previous)
            else:
                found.append(read_descriptor(pid, fd, sockets, with_flags))
        except (Gone, Hidden):
            continue
    return found


def attach_endpoint(descriptor: Descriptor, endpoints: dict[int, SocketEndpoint]) -> Descriptor:
    """A socket descriptor with its endpoint from the socket tables (unchanged if not found)."""
    if descriptor.kind != "socket" or descriptor.inode not in endpoints:
        return descriptor
    endpoint = endpoints[descriptor.inode]
    return descriptor._replace(kind=endpoint.family, endpoint=endpoint)


def mark_wake_up_pipes(descriptors: list[Descriptor]) -> list[Descriptor]:
    """Pipes the process holds both ends of are its own wake-up (self-)pipes: say so."""
    seen: set[int | None] = set()
    twice: set[int | None] = set()
    for descriptor in descriptors:
        if descriptor.kind == "pipe":
            (twice if descriptor.inode in seen else seen).add(descriptor.inode)
    return [descriptor._replace(both_ends=wanted) if descriptor.both_ends != wanted else descriptor
            for descriptor, wanted in ((descriptor, descriptor.kind == "pipe" and descriptor.inode in twice)
                                       for descriptor in descriptors)]
