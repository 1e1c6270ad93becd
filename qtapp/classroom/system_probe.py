"""What is really there, read from the system: FIFO files on disk, TCP connections and Unix socket
connections (from /proc/net), whether a process is alive. Plain Python, no Qt; each call is a few
small reads of procfs or one directory listing, cheap enough for a 2 Hz timer in the GUI thread.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

ESTABLISHED = "01"
UNIX_CONNECTED = "03"


@dataclass(frozen=True)
class TcpConnection:
    """One accepted TCP connection as the server's side sees it."""

    client_host: str
    client_port: int
    server_port: int


def fifo_files(directory: str) -> list[str]:
    """Names of the FIFOs (named pipes) that exist in `directory`, sorted; [] if it does not exist."""
    names = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    if stat.S_ISFIFO(entry.stat(follow_symlinks=False).st_mode):
                        names.append(entry.name)
                except OSError:
                    continue
    except OSError:
        return []
    return sorted(names)


def _hex_ipv4(text: str) -> str:
    value = bytes.fromhex(text)[::-1]  # /proc prints the address in host (little-endian) order
    return ".".join(str(byte) for byte in value)


def _hex_ipv6(text: str) -> str:
    raw = bytes.fromhex(text)
    words = b"".join(raw[index:index + 4][::-1] for index in range(0, 16, 4))
    import ipaddress

    address = ipaddress.IPv6Address(words)
    return str(address.ipv4_mapped or address)


def tcp_connections(server_port: int, proc_root: str = "/proc") -> list[TcpConnection]:
    """Established TCP connections whose local port is `server_port` (the server's accepted
    sockets), read from /proc/net/tcp and tcp6; sorted by client port."""
    found: set[TcpConnection] = set()
    for name, decode in (("tcp", _hex_ipv4), ("tcp6", _hex_ipv6)):
        try:
            with open(os.path.join(proc_root, "net", name)) as handle:
                next(handle, None)
                for line in handle:
                    fields = line.split()
                    if len(fields) < 4 or fields[3] != ESTABLISHED:
                        continue
                    local_address, local_port = fields[1].split(":")
                    if int(local_port, 16) != server_port:
                        continue
                    remote_address, remote_port = fields[2].split(":")
                    found.add(TcpConnection(decode(remote_address), int(remote_port, 16), server_port))
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda connection: connection.client_port)


def unix_connections(path: str, proc_root: str = "/proc") -> int:
    """How many connected sockets carry `path` in /proc/net/unix: the server's accepted connections."""
    count = 0
    try:
        with open(os.path.join(proc_root, "net", "unix")) as handle:
            next(handle, None)
            for line in handle:
                fields = line.split(None, 7)
                if len(fields) == 8 and fields[5] == UNIX_CONNECTED and fields[7].strip() == path:
                    count += 1
    except OSError:
        return 0
    return count


def process_alive(pid: int) -> bool:
    """Whether `pid` is a live (non-zombie) process."""
    if pid <= 0:
        return False
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
