"""Misbehaving clients for a class: each a plain function (the GUI runs it in a worker thread)
returning a short dict with a plain-language `explanation` of what the server did about it.

    silent_client   connects (or opens request.fifo) and sends nothing for a while
    garbage_client  sends random bytes and reports what the server answered
    crowd           64 clients at once, through the workload runner

Every function takes an optional `cancellation` (backend.cancel.Cancellation): cancelling it ends
the demonstration early from another thread.
"""

from __future__ import annotations

import errno
import os
import random
import select
import socket
import time

from backend.clients.client import check_address
from backend.measuring.runner import WorkloadRunner, WorkloadSpec
from backend.protocol import frames as protocol
from backend.protocol.frames import FrameType, ProtocolError
from backend.transports.base import ConnectionRefused, TransportError
from backend.transports.cancel import Cancellation
from backend.transports.fifo import REQUEST_FIFO, require_fifos
from backend.transports.tcp import parse_tcp_address

ANSWER_TIMEOUT = 5.0  # how long garbage_client waits for the server's answer


def _connect(transport: str, address: str, timeout: float = 5.0) -> socket.socket:
    """A plain connected socket (no protocol on our side: we are the misbehaving client)."""
    check_address(transport, address)
    try:
        if transport == "tcp":
            sock = socket.create_connection(parse_tcp_address(address), timeout=timeout)
        elif transport == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(timeout)
                sock.connect(address)
            except BaseException:
                sock.close()
                raise
        else:
            raise ValueError(f"unknown transport {transport!r}")
    except (ConnectionRefusedError, FileNotFoundError):
        raise ConnectionRefused(f"no server is listening at {transport} {address}") from None
    except OSError as error:
        raise TransportError(f"cannot connect to {transport} {address}: {error.strerror or error}") from None
    return sock


def _open_request_fifo(address: str) -> int:
    require_fifos()
    path = os.path.join(os.path.abspath(address), REQUEST_FIFO)
    try:
        return os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno in (errno.ENXIO, errno.ENOENT):
            raise ConnectionRefused(f"no server is reading fifo {path}") from None
        raise TransportError(f"cannot open {path}: {error.strerror}") from None


def _sleep(seconds: float, cancellation: Cancellation | None) -> bool:
    """Wait; return True if cancelled meanwhile."""
    if cancellation is None:
        time.sleep(max(0.0, seconds))
        return False
    return cancellation.wait(max(0.0, seconds))


def silent_client(transport: str, address: str, hold_seconds: float,
                  cancellation: Cancellation | None = None) -> dict:
    """Connect (sockets) or open the request FIFO (fifo), send nothing for `hold_seconds`, close.

    Returns {"transport", "held_seconds", "server_closed" (the server dropped us first),
    "cancelled", "explanation"}.
    """
    check_address(transport, address)
    start = time.monotonic()
    server_closed = cancelled = False
    if transport == "fifo":
        fd = _open_request_fifo(address)
        try:
            cancelled = _sleep(hold_seconds, cancellation)
        finally:
            os.close(fd)
        explanation = (
            f"The client opened the server's request FIFO and wrote nothing for {hold_seconds:g} s. "
            "That costs the server nothing: it only reacts to bytes that arrive, and every other client "
            "kept being served. (A FIFO has no connection, so the server cannot even tell who is idle.)"
        )
    else:
        sock = _connect(transport, address)
        try:
            poller = select.poll()
            poller.register(sock.fileno(), select.POLLIN | select.POLLHUP)
            if cancellation is not None:
                poller.register(cancellation.fd, select.POLLIN)
            deadline = start + hold_seconds
            while (remaining := deadline - time.monotonic()) > 0:
                events = poller.poll(max(1, int(remaining * 1000)))
                if any(fd == sock.fileno() for fd, _ in events):
                    server_closed = True  # the only thing a server sends an idle client is a close
                    break
                if events:
                    cancelled = True
                    break
        finally:
            sock.close()
        if server_closed:
            explanation = (
                f"The client connected and sent nothing; after {time.monotonic() - start:.1f} s the server "
                "closed the connection (its idle timeout), freeing what it had set aside for this client."
            )
        else:
            explanation = (
                f"The client connected and sent nothing for {hold_seconds:g} s. The server gave it a thread "
                "of its own that simply waited, so every other client was served as usual; an idle "
                "connection is dropped after the server's idle timeout (60 s by default)."
            )
    return {"transport": transport, "held_seconds": round(time.monotonic() - start, 3),
            "server_closed": server_closed, "cancelled": cancelled, "explanation": explanation}


def _describe_answer(data: bytes) -> tuple[str, int | None, str | None, str | None]:
    """(kind, code, name, message) of the bytes a server sent back: "error", "other" or "none"."""
    if not data:
        return "none", None, None, None
    if len(data) >= protocol.ERROR_HEADER_SIZE:
        try:
            frame_type, _, _ = protocol.decode_reply_header(data[:protocol.REPLY_HEADER_SIZE])
            if frame_type == FrameType.ERROR:
                error = protocol.decode_error(data)
                return "error", error.code, protocol.error_name(error.code), error.message
        except ProtocolError:
            pass
    return "other", None, None, None


def garbage_client(transport: str, address: str, size: int = 256, seed: int | None = None,
                   cancellation: Cancellation | None = None) -> dict:
    """Send `size` random bytes (never starting with the magic) and report what the server answered.

    Returns {"transport", "sent_bytes", "answer" ("error", "closed", "none" or "other"),
    "error_code", "error_name", "error_message", "closed", "explanation"}.
    """
    check_address(transport, address)
    if not 1 <= size <= 1 << 20:
        raise ValueError("size must be in 1..1048576 bytes")
    data = bytearray(random.Random(seed).randbytes(size))
    if data[:1] == b"I":
        data[0] ^= 0x80  # never a valid magic by chance
    if data[-1:] in (b"I", b"P", b"C"):
        data[-1] ^= 0x80  # nor the start of one at the end: a FIFO server skips all of it at once
    result: dict = {"transport": transport, "sent_bytes": size, "answer": "none", "error_code": None,
                    "error_name": None, "error_message": None, "closed": False}
    if transport == "fifo":
        fd = _open_request_fifo(address)
        try:
            view = memoryview(data)
            while view:
                try:
                    view = view[os.write(fd, view[:protocol.PIPE_BUF]):]
                except BlockingIOError:
                    if _sleep(0.01, cancellation):
                        break
        finally:
            os.close(fd)
        result["explanation"] = (
            f"The client wrote {size} random bytes into the request FIFO. The server could not answer: "
            "a FIFO does not say who wrote the bytes, and garbage carries no valid reply address. It "
            "skipped the bytes until it found the next valid request (the 'IPCL' magic and a correct "
            "checksum), so well-behaved clients writing to the same FIFO were not disturbed."
        )
        return result
    sock = _connect(transport, address)
    received = b""
    try:
        try:
            sock.sendall(bytes(data))
        except OSError:
            result["closed"] = True  # the server may close before it has read everything
        sock.settimeout(0.1)
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while time.monotonic() < deadline and len(received) < 1 << 16:
            if cancellation is not None and cancellation.cancelled:
                break
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:  # a reset: the server closed with our garbage still unread
                result["closed"] = True
                break
            if not chunk:
                result["closed"] = True
                break
            received += chunk
    finally:
        sock.close()
    kind, code, name, message = _describe_answer(received)
    result.update(answer=kind if kind != "none" else ("closed" if result["closed"] else "none"),
                  error_code=code, error_name=name, error_message=message)
    if kind == "error":
        result["explanation"] = (
            f"The client sent {size} random bytes. The server read the first 48 as a request, saw they were "
            f"not one, answered with an ERROR frame ({name}: {message}) and closed the connection: once a "
            "stream's framing is lost it cannot be trusted again. Other clients were not affected."
        )
    elif result["closed"]:
        result["explanation"] = (
            f"The client sent {size} random bytes and the server closed the connection: it could not make "
            "sense of them. Other clients were not affected."
        )
    else:
        result["explanation"] = (
            f"The client sent {size} random bytes and the server did not answer within {ANSWER_TIMEOUT:g} s: "
            "it is still waiting for the rest of a 48-byte request and drops the connection after its "
            "request timeout."
        )
    return result


def crowd(transport: str, address: str, clients: int = 64, requests_per_client: int = 20,
          cancellation: Cancellation | None = None) -> dict:
    """`clients` clients at once, `requests_per_client` exchanges each (random counts 1..10), through
    the workload runner. Returns {"transport", "clients", "requests", "exchanges", "errors",
    "lost_numbers", "p50_us", "p99_us", "exchanges_per_s", "elapsed_s", "stopped", "explanation"}.
    """
    check_address(transport, address)
    spec = WorkloadSpec(transport=transport, address=address, requests=clients * requests_per_client,
                        count=None, concurrency=clients, timeout=10.0)
    runner = WorkloadRunner(spec, address)
    key = cancellation.add_callback(runner.stop) if cancellation is not None else None
    try:
        statistics = runner.run()
        stopped = runner.stopped
    finally:
        if key is not None and cancellation is not None:
            cancellation.remove_callback(key)
        runner.close()
    report = statistics.report(address)
    latency = report["latency_us"]
    p50, p99 = latency.get("p50"), latency.get("p99")
    errors, lost = report["errors"], report["lost_numbers"]
    outcome = ("every exchange was answered correctly and no number was lost" if not errors and not lost
               else f"{errors} exchanges failed and {lost} numbers were lost")
    timing = (f" Half of the exchanges took under {p50:.0f} µs, 99 % under {p99:.0f} µs."
              if p50 is not None and p99 is not None else "")
    return {
        "transport": transport, "clients": clients, "requests": spec.requests, "exchanges": report["exchanges"],
        "errors": errors, "lost_numbers": lost, "p50_us": p50, "p99_us": p99,
        "exchanges_per_s": report["exchanges_per_s"], "elapsed_s": report["elapsed_s"],
        "stopped": stopped,
        "explanation": (
            f"{clients} clients asked at the same time, {requests_per_client} requests each: {outcome}."
            f"{timing} The server kept each client's replies apart"
            + (" (one reply FIFO per client)." if transport == "fifo" else " (one connection per client).")
        ),
    }
