"""The kernel functions a thread can wait in (its wait channel, /proc/PID/task/TID/wchan), each
explained in one plain sentence for a class.

The sentence is phrased to follow "blocked in write() on X — ", e.g. "a write into a pipe waits
until the reader makes room: the pipe is full".
"""

from __future__ import annotations

import re
from typing import NamedTuple

NOT_VISIBLE = "not visible"
# The compiler's clones of a kernel function keep its name with a suffix: do_select.constprop.0
_COMPILER_SUFFIX = re.compile(r"(\.(constprop|isra|part|cold|lto_priv)(\.\d+)?)+$")


class WaitChannel(NamedTuple):
    name: str  # the kernel function, or "" when the kernel shows none ("0") or hides it
    sentence: str  # what it means, in one plain sentence ("" when unknown)
    visible: bool  # False: the kernel hid it from us (wchan reads 0, or not permitted)
    kind: str  # what the wait is about: fifo-open, pipe-read, pipe-write, socket-read, socket-write,
    # accept, connect, poll, futex, child, sleep, signal, terminal, other, none


_PIPE_READ = ("a read from a pipe waits until someone writes into it (or the last writer closes it)", "pipe-read")
_PIPE_WRITE = ("a write into a pipe waits until the reader makes room: the pipe is full", "pipe-write")
_POLL = ("poll/select waits until one of its descriptors is ready, or its timeout", "poll")
_FUTEX = ("a futex wait: the thread waits for another thread of its process (a lock, a condition, a join)",
          "futex")
_SOCKET_READ = ("a read from a socket waits until the peer sends data", "socket-read")
_SOCKET_WRITE = ("a write into a socket waits for room: its buffers are full because the peer does not read",
                 "socket-write")

SENTENCES: dict[str, tuple[str, str]] = {
    "wait_for_partner": ("a FIFO's open waits until the other end is opened", "fifo-open"),
    "pipe_read": _PIPE_READ,
    "anon_pipe_read": _PIPE_READ,
    "fifo_pipe_read": _PIPE_READ,
    "pipe_write": _PIPE_WRITE,
    "anon_pipe_write": _PIPE_WRITE,
    "fifo_pipe_write": _PIPE_WRITE,
    "pipe_wait": ("a pipe operation waits: for data to read, or for room to write", "pipe-read"),
    "pipe_wait_readable": _PIPE_READ,
    "pipe_wait_writable": _PIPE_WRITE,
    "unix_stream_read_generic": ("a read from a Unix socket waits until the peer sends data", "socket-read"),
    "unix_stream_data_wait": ("a read from a Unix socket waits until the peer sends data", "socket-read"),
    "unix_wait_for_peer": ("a send on a Unix socket waits for room at the receiver", "socket-write"),
    "sock_alloc_send_pskb": _SOCKET_WRITE,
    "sk_stream_wait_memory": ("a TCP send waits for room in its send buffer: the peer does not read fast enough",
                              "socket-write"),
    "inet_csk_accept": ("accept() waits for a client to connect", "accept"),
    "inet_csk_wait_for_connect": ("accept() waits for a client to connect", "accept"),
    "unix_accept": ("accept() waits for a client to connect", "accept"),
    "__skb_wait_for_more_packets": ("the socket waits for a packet (on a listening Unix socket: a client's connect)",
                                    "socket-read"),
    "__skb_recv_datagram": ("the socket waits for a packet (on a listening Unix socket: a client's connect)",
                            "socket-read"),
    "sk_wait_data": ("a TCP read waits until data arrives from the peer", "socket-read"),
    "tcp_recvmsg_locked": ("a TCP read waits until data arrives from the peer", "socket-read"),
    "wait_woken": ("waits to be woken by its socket or terminal (data, room, or a connection)", "other"),
    "inet_wait_for_connect": ("connect() waits for the server to answer (the TCP handshake)", "connect"),
    "__inet_stream_connect": ("connect() waits for the server to answer (the TCP handshake)", "connect"),
    "do_sys_poll": _POLL,
    "do_poll": _POLL,
    "do_select": _POLL,
    "core_sys_select": _POLL,
    "poll_schedule_timeout": _POLL,
    "ep_poll": ("epoll_wait waits until one of its watched descriptors is ready, or its timeout", "poll"),
    "do_epoll_wait": ("epoll_wait waits until one of its watched descriptors is ready, or its timeout", "poll"),
    "futex_wait_queue": _FUTEX,
    "futex_wait_queue_me": _FUTEX,
    "futex_wait": _FUTEX,
    "__futex_wait": _FUTEX,
    "futex_do_wait": _FUTEX,
    "do_wait": ("waits for a child process to exit", "child"),
    "kernel_wait4": ("waits for a child process to exit", "child"),
    "hrtimer_nanosleep": ("sleeps for a set time", "sleep"),
    "do_nanosleep": ("sleeps for a set time", "sleep"),
    "sigsuspend": ("waits for a signal", "signal"),
    "do_sigtimedwait": ("waits for a signal (sigwait)", "signal"),
    "sigtimedwait": ("waits for a signal (sigwait)", "signal"),
    "n_tty_read": ("waits for a line typed on the terminal", "terminal"),
    "do_signal_stop": ("stopped by a signal (SIGSTOP or Ctrl+Z)", "other"),
}


def explain_wait_channel(raw: str | None) -> WaitChannel:
    """The WaitChannel for what /proc/.../wchan read (None: not permitted to read it)."""
    if raw is None:
        return WaitChannel("", NOT_VISIBLE, False, "none")
    name = _COMPILER_SUFFIX.sub("", raw.strip())
    if name in ("", "0"):
        # A running thread has none; a sleeping one shows 0 where the kernel hides the symbol.
        return WaitChannel("", NOT_VISIBLE, False, "none")
    sentence, kind = SENTENCES.get(name, ("", "other"))
    return WaitChannel(name, sentence, True, kind)


# Generic helpers the kernel waits in on behalf of many calls: what they mean depends on the call.
GENERIC = {"wait_woken", "schedule_timeout", "schedule", "wait_woken.part.0", "sk_wait_event"}
_BY_CALL = {
    ("read", "socket"): _SOCKET_READ,
    ("write", "socket"): _SOCKET_WRITE,
    ("read", "pipe"): _PIPE_READ,
    ("write", "pipe"): _PIPE_WRITE,
    ("accept", "socket"): ("accept() waits for a client to connect", "accept"),
    ("connect", "socket"): ("connect() waits for the server to answer", "connect"),
}


def in_context(wait: WaitChannel, direction: str, channel: str) -> WaitChannel:
    """A generic wait channel (wait_woken...) explained by the call it serves: `direction` is the
    call's ("read", "write", "accept"...), `channel` "socket" or "pipe" (what its descriptor is)."""
    if not wait.visible or (wait.name not in GENERIC and wait.sentence):
        return wait
    found = _BY_CALL.get((direction, channel))
    if found is None:
        return wait
    return WaitChannel(wait.name, found[0], True, found[1])
