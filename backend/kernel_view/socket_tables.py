"""The kernel's socket tables: /proc/net/unix, /proc/net/tcp and /proc/net/tcp6, by inode.

A descriptor that reads `socket:[12345]` is found here by its inode: what kind of socket, its
addresses, its TCP state and (for TCP) the bytes waiting in its send and receive queues.
"""

from __future__ import annotations

import socket
import struct
from typing import Container, NamedTuple

from backend.kernel_view.proc_files import Gone, Hidden, read_text

TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT",
              7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}
UNIX_LISTENING_FLAG = 0x10000  # __SO_ACCEPTCON


class SocketEndpoint(NamedTuple):
    inode: int
    family: str  # "tcp", "tcp6" or "unix"
    state: str  # TCP state name, or for Unix "listening" / "connected" / "unconnected"
    local: str  # "127.0.0.1:5000", "[::1]:5000", or the Unix path ("" when unnamed)
    remote: str  # the peer's address ("" for Unix and for listening sockets)
    send_queue: int | None  # TCP: bytes sent and not yet acknowledged (listening: the backlog limit)
    receive_queue: int | None  # TCP: bytes received and not yet read (listening: connections waiting)

    @property
    def listening(self) -> bool:
        return self.state in ("LISTEN", "listening")


def _ipv4(text: str) -> str:
    address, port = text.split(":")
    return f"{socket.inet_ntop(socket.AF_INET, struct.pack('<I', int(address, 16)))}:{int(port, 16)}"


def _ipv6(text: str) -> str:
    address, port = text.split(":")
    packed = b"".join(struct.pack("<I", int(address[i:i + 8], 16)) for i in range(0, 32, 8))
    return f"[{socket.inet_ntop(socket.AF_INET6, packed)}]:{int(port, 16)}"


def parse_tcp_table(text: str, family: str, wanted: Container[int] | None = None) -> dict[int, SocketEndpoint]:
    """inode -> endpoint for the lines of /proc/net/tcp or tcp6 (only inodes in `wanted`, if given)."""
    decode = _ipv4 if family == "tcp" else _ipv6
    table = {}
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        try:
            inode = int(fields[9])
            if wanted is not None and inode not in wanted:
                continue
            send_queue, receive_queue = (int(part, 16) for part in fields[4].split(":"))
            state = TCP_STATES.get(int(fields[3], 16), fields[3])
            remote = "" if state == "LISTEN" else decode(fields[2])
            table[inode] = SocketEndpoint(inode, family, state, decode(fields[1]), remote, send_queue, receive_queue)
        except (ValueError, IndexError):
            continue
    return table


def parse_unix_table(text: str, wanted: Container[int] | None = None) -> dict[int, SocketEndpoint]:
    """inode -> endpoint for the lines of /proc/net/unix (only inodes in `wanted`, if given)."""
    table = {}
    for line in text.splitlines()[1:]:
        fields = line.split(None, 7)
        if len(fields) < 7:
            continue
        try:
            flags, state, inode = int(fields[3], 16), int(fields[5], 16), int(fields[6])
        except ValueError:
            continue
        if wanted is not None and inode not in wanted:
            continue
        kind = "listening" if flags & UNIX_LISTENING_FLAG else "connected" if state == 3 else "unconnected"
        path = fields[7].strip() if len(fields) > 7 else ""
        table[inode] = SocketEndpoint(inode, "unix", kind, path, "", None, None)
    return table


def read_socket_tables(net_directory: str = "/proc/net", wanted: Container[int] | None = None,
                       names: Container[str] = ("unix", "tcp", "tcp6")) -> dict[int, SocketEndpoint]:
    """The TCP and Unix sockets the kernel lists in this network namespace (those in `wanted`, from
    the tables in `names`), by inode."""
    table: dict[int, SocketEndpoint] = {}
    for name, parse in (("unix", None), ("tcp", "tcp"), ("tcp6", "tcp6")):
        if name not in names:
            continue
        try:
            text = read_text(f"{net_directory}/{name}", limit=16 * 1024 * 1024)
        except (Gone, Hidden):
            continue
        table.update(parse_unix_table(text, wanted) if parse is None else parse_tcp_table(text, parse, wanted))
    return table
