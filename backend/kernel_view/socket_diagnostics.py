"""sock_diag: ask the kernel (over netlink, no privilege needed) how full every TCP and Unix socket's
buffers are, against their sizes — what /proc/net does not tell (the buffer sizes, Unix queues, the
peer of a Unix socket). Linux only; returns {} wherever netlink is not available.
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Collection, Container, NamedTuple

from backend.kernel_view.socket_tables import TCP_STATES, SocketEndpoint

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_DONE, NLMSG_ERROR = 3, 2
INET_DIAG_SKMEMINFO = 7
UNIX_DIAG_PEER, UNIX_DIAG_RQLEN, UNIX_DIAG_MEMINFO = 2, 4, 5
UDIAG_SHOW_PEER, UDIAG_SHOW_RQLEN, UDIAG_SHOW_MEMINFO = 0x4, 0x10, 0x20
# Indices in the kernel's sk_meminfo array.
RMEM_ALLOC, RCVBUF, WMEM_ALLOC, SNDBUF, WMEM_QUEUED = 0, 1, 2, 3, 5
_HEADER = struct.Struct("=IHHII")
_INET_REQUEST = struct.Struct("=BBBxI48s")
_INET_MESSAGE = struct.Struct("=BBBB48sIIIII")
_UNIX_REQUEST = struct.Struct("=BBxxIIIII")
_UNIX_MESSAGE = struct.Struct("=BBBxIII")
_ALL_STATES = 0xFFFFFFFF
# TIME_WAIT and SYN_RECV entries belong to no descriptor (a busy machine has hundreds): not asked for.
_OWNED_TCP_STATES = _ALL_STATES & ~((1 << 6) | (1 << 3))
_RECEIVE_SIZE = 1 << 20
_ENOENT = 2
MISSING_RETRY = 1.0  # seconds before a TCP socket that could not be found is looked for by a dump again


class SocketMemory(NamedTuple):
    inode: int
    receive_queue: int  # bytes received and not yet read by the owner
    send_queue: int  # bytes written and not yet taken by the peer (TCP: not acknowledged)
    receive_buffer: int | None  # the receive buffer's size (SO_RCVBUF as the kernel counts it)
    send_buffer: int | None  # the send buffer's size (SO_SNDBUF)
    send_allocated: int | None  # send-side memory in use (Unix: the bytes waiting at the peer)
    peer_inode: int | None  # Unix: the inode of the other end
    endpoint: SocketEndpoint | None  # TCP: the addresses and state (what /proc/net/tcp would say)


def _attributes(data: bytes, offset: int, end: int) -> dict[int, bytes]:
    found = {}
    while offset + 4 <= end:
        length, kind = struct.unpack_from("=HH", data, offset)
        if length < 4:
            break
        found[kind] = data[offset + 4:offset + length]
        offset += (length + 3) & ~3
    return found


def _meminfo(payload: bytes | None) -> tuple[int, ...]:
    if not payload:
        return ()
    return struct.unpack_from(f"={len(payload) // 4}I", payload)


def open_netlink() -> socket.socket:
    netlink = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG)
    netlink.settimeout(1.0)
    return netlink


def _dump(request: bytes, netlink: socket.socket | None = None) -> list[tuple[bytes, int, int]]:
    """Send one dump request (on `netlink`, or a socket opened for it); the messages of the answer
    as (data, start, end)."""
    if netlink is None:
        with open_netlink() as own:
            return _dump(request, own)
    messages = []
    netlink.send(_HEADER.pack(_HEADER.size + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
                 + request)
    while True:
        data = netlink.recv(_RECEIVE_SIZE)
        offset = 0
        while offset + _HEADER.size <= len(data):
            length, kind, _, _, _ = _HEADER.unpack_from(data, offset)
            if kind in (NLMSG_DONE, NLMSG_ERROR) or length < _HEADER.size:
                return messages
            messages.append((data, offset + _HEADER.size, offset + length))
            offset += (length + 3) & ~3
        if not data:
            return messages


def _exact(netlink: socket.socket, family: int, identity: bytes) -> SocketMemory | None:
    """One TCP socket by its identity (addresses, ports, cookie): a hash lookup in the kernel, no
    walk. None when it no longer exists (closed, or another socket now has those addresses)."""
    request = _inet_request(family, _ALL_STATES, identity)
    netlink.send(_HEADER.pack(_HEADER.size + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, 2, 0) + request)
    data = netlink.recv(_RECEIVE_SIZE)
    if len(data) < _HEADER.size:
        return None
    length, kind, _, _, _ = _HEADER.unpack_from(data, 0)
    if kind != SOCK_DIAG_BY_FAMILY:  # NLMSG_ERROR: ENOENT (an acknowledgement carries no socket)
        return None
    parsed = _tcp_message(family, data, _HEADER.size, min(length, len(data)))
    return parsed[0] if parsed is not None else None


def _address(family: int, packed: bytes, port: int) -> str:
    if family == socket.AF_INET:
        return f"{socket.inet_ntop(socket.AF_INET, packed[:4])}:{port}"
    return f"[{socket.inet_ntop(socket.AF_INET6, packed[:16])}]:{port}"


def _inet_request(family: int, states: int = _OWNED_TCP_STATES, identity: bytes = b"\0" * 48) -> bytes:
    return _INET_REQUEST.pack(family, socket.IPPROTO_TCP, 1 << (INET_DIAG_SKMEMINFO - 1), states, identity)


def _tcp_message(family: int, data: bytes, start: int, end: int) -> tuple[SocketMemory, bytes] | None:
    """One inet_diag message: the socket's memory and its identity (inet_diag_sockid, cookie included)."""
    if end - start < _INET_MESSAGE.size:
        return None
    _, state, _, _, identity, _, receive_queue, send_queue, _, inode = _INET_MESSAGE.unpack_from(data, start)
    if not inode:
        return None
    source_port, destination_port = struct.unpack_from("!HH", identity)
    state_name = TCP_STATES.get(state, str(state))
    endpoint = SocketEndpoint(inode, "tcp" if family == socket.AF_INET else "tcp6", state_name,
                              _address(family, identity[4:20], source_port),
                              "" if state_name == "LISTEN" else _address(family, identity[20:36], destination_port),
                              send_queue, receive_queue)
    memory = _meminfo(_attributes(data, start + _INET_MESSAGE.size, end).get(INET_DIAG_SKMEMINFO))
    return SocketMemory(inode, receive_queue, send_queue, memory[RCVBUF] if memory else None,
                        memory[SNDBUF] if memory else None, memory[WMEM_QUEUED] if memory else None, None,
                        endpoint), identity


def tcp_memory(family: int, netlink: socket.socket | None = None,
               identities: dict[int, tuple[int, bytes]] | None = None) -> dict[int, SocketMemory]:
    """Every TCP socket of `family` (a dump: the kernel walks its whole connection table). Each one's
    identity is put in `identities` (inode -> (family, id)) for exact lookups later."""
    found = {}
    for data, start, end in _dump(_inet_request(family), netlink):
        parsed = _tcp_message(family, data, start, end)
        if parsed is not None:
            found[parsed[0].inode] = parsed[0]
            if identities is not None:
                identities[parsed[0].inode] = (family, parsed[1])
    return found


def unix_memory(netlink: socket.socket | None = None) -> dict[int, SocketMemory]:
    request = _UNIX_REQUEST.pack(socket.AF_UNIX, 0, _ALL_STATES, 0,
                                 UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_MEMINFO, 0xFFFFFFFF, 0xFFFFFFFF)
    found = {}
    for data, start, end in _dump(request, netlink):
        if end - start < _UNIX_MESSAGE.size:
            continue
        inode = _UNIX_MESSAGE.unpack_from(data, start)[3]
        attributes = _attributes(data, start + _UNIX_MESSAGE.size, end)
        queues = struct.unpack_from("=II", attributes[UNIX_DIAG_RQLEN]) if len(attributes.get(UNIX_DIAG_RQLEN, b"")) >= 8 else (0, 0)
        memory = _meminfo(attributes.get(UNIX_DIAG_MEMINFO))
        peer = struct.unpack_from("=I", attributes[UNIX_DIAG_PEER])[0] if len(attributes.get(UNIX_DIAG_PEER, b"")) >= 4 else None
        found[inode] = SocketMemory(inode, queues[0], queues[1], memory[RCVBUF] if memory else None,
                                    memory[SNDBUF] if memory else None, memory[WMEM_ALLOC] if memory else None, peer,
                                    None)
    return found


def socket_memory(kinds: Container[str] = ("tcp", "tcp6", "unix")) -> dict[int, SocketMemory]:
    """The queues and buffer sizes of every socket of the `kinds` asked for ("tcp", "tcp6",
    "unix"), by inode; {} where netlink is not available."""
    found: dict[int, SocketMemory] = {}
    readers = {"tcp": lambda: tcp_memory(socket.AF_INET), "tcp6": lambda: tcp_memory(socket.AF_INET6),
               "unix": unix_memory}
    for kind, read in readers.items():
        if kind not in kinds:
            continue
        try:
            found.update(read())
        except (OSError, AttributeError, struct.error, IndexError):
            continue
    return found


class SocketDiagnostics:
    """sock_diag for a sampler that asks again and again: one netlink socket kept open; the Unix
    table dumped at most once per sample (`new_sample()`); a TCP socket, once seen in a dump, asked
    for by itself (an exact lookup: a dump walks the kernel's whole connection hash table, which
    cost 3.5 ms of CPU here with a single socket in it, and TCP and TCP6 are two dumps)."""

    def __init__(self) -> None:
        self._netlink: socket.socket | None = None
        self._identities: dict[int, tuple[int, bytes]] = {}
        self._missing_since: dict[int, float] = {}
        self._unix: dict[int, SocketMemory] | None = None
        self._tcp: dict[int, SocketMemory] = {}
        self._dumped: set[str] = set()

    def new_sample(self) -> None:
        """Forget this sample's answers: the next questions are asked the kernel again."""
        self._unix, self._tcp, self._dumped = None, {}, set()

    def _socket(self) -> socket.socket:
        if self._netlink is None:
            self._netlink = open_netlink()
        return self._netlink

    def memory(self, kinds: Container[str], inodes: Collection[int]) -> dict[int, SocketMemory]:
        """The queues and buffer sizes of the sockets `inodes` (of the `kinds` "tcp", "tcp6",
        "unix"); for Unix also every other Unix socket (a peer's queue is where our data waits).
        {} where netlink is not available."""
        try:
            found = dict(self._unix_table()) if "unix" in kinds else {}
            found.update(self._tcp_sockets([kind for kind in ("tcp", "tcp6") if kind in kinds], inodes))
            return found
        except (OSError, AttributeError, struct.error, IndexError):
            self.close()
            return {}

    def _unix_table(self) -> dict[int, SocketMemory]:
        if self._unix is None:
            self._unix = {}
            self._unix = unix_memory(self._socket())
        return self._unix

    def _tcp_sockets(self, kinds: list[str], inodes: Collection[int]) -> dict[int, SocketMemory]:
        if not kinds:
            return {}
        netlink, now = self._socket(), time.monotonic()
        found = {}
        for inode in inodes:
            if inode in self._tcp:
                found[inode] = self._tcp[inode]
                continue
            known = self._identities.get(inode)
            answer = _exact(netlink, *known) if known is not None else None
            if answer is not None and answer.inode == inode:
                self._tcp[inode] = found[inode] = answer
            elif known is not None:
                del self._identities[inode]
        wanted = [inode for inode in inodes if inode not in found and now - self._missing_since.get(inode, -1e9)
                  >= MISSING_RETRY]
        if wanted:
            for kind in kinds:
                if kind not in self._dumped:
                    self._dumped.add(kind)
                    family = socket.AF_INET if kind == "tcp" else socket.AF_INET6
                    self._tcp.update(tcp_memory(family, netlink, self._identities))
            for inode in wanted:
                if inode in self._tcp:
                    found[inode] = self._tcp[inode]
                    self._missing_since.pop(inode, None)
                else:
                    self._missing_since[inode] = now  # not in the tables (unbound, closed): not dumped for again soon
        if len(self._identities) > 4096:  # sockets long closed
            self._identities = {inode: known for inode, known in self._identities.items() if inode in found}
        return found

    def close(self) -> None:
        if self._netlink is not None:
            self._netlink.close()
            self._netlink = None
