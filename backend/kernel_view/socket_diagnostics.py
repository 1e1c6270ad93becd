"""sock_diag: ask the kernel (over netlink, no privilege needed) how full every TCP and Unix socket's
buffers are, against their sizes — what /proc/net does not tell (the buffer sizes, Unix queues, the
peer of a Unix socket). Linux only; returns {} wherever netlink is not available.
"""

from __future__ import annotations

import socket
import struct
from typing import Container, NamedTuple

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


def _dump(request: bytes) -> list[tuple[bytes, int, int]]:
    """Send one dump request; the messages of the answer as (data, start, end)."""
    messages = []
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG) as netlink:
        netlink.settimeout(1.0)
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


def _address(family: int, packed: bytes, port: int) -> str:
    if family == socket.AF_INET:
        return f"{socket.inet_ntop(socket.AF_INET, packed[:4])}:{port}"
    return f"[{socket.inet_ntop(socket.AF_INET6, packed[:16])}]:{port}"


def tcp_memory(family: int) -> dict[int, SocketMemory]:
    request = _INET_REQUEST.pack(family, socket.IPPROTO_TCP, 1 << (INET_DIAG_SKMEMINFO - 1), _OWNED_TCP_STATES,
                                 b"\0" * 48)
    name = "tcp" if family == socket.AF_INET else "tcp6"
    found = {}
    for data, start, end in _dump(request):
        if end - start < _INET_MESSAGE.size:
            continue
        _, state, _, _, identity, _, receive_queue, send_queue, _, inode = _INET_MESSAGE.unpack_from(data, start)
        if not inode:
            continue
        source_port, destination_port = struct.unpack_from("!HH", identity)
        state_name = TCP_STATES.get(state, str(state))
        endpoint = SocketEndpoint(inode, name, state_name, _address(family, identity[4:20], source_port),
                                  "" if state_name == "LISTEN" else _address(family, identity[20:36], destination_port),
                                  send_queue, receive_queue)
        memory = _meminfo(_attributes(data, start + _INET_MESSAGE.size, end).get(INET_DIAG_SKMEMINFO))
        found[inode] = SocketMemory(inode, receive_queue, send_queue, memory[RCVBUF] if memory else None,
                                    memory[SNDBUF] if memory else None, memory[WMEM_QUEUED] if memory else None, None,
                                    endpoint)
    return found


def unix_memory() -> dict[int, SocketMemory]:
    request = _UNIX_REQUEST.pack(socket.AF_UNIX, 0, _ALL_STATES, 0,
                                 UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_MEMINFO, 0xFFFFFFFF, 0xFFFFFFFF)
    found = {}
    for data, start, end in _dump(request):
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
