#!/usr/bin/env python3
"""floor.py - the raw-Python floor for IPC Lab's work (the same as floor.c, in minimal Python).

The same exchanges as IPC Lab, written the straightforward fast way: blocking sockets and
os.read/os.readv, numpy `Generator.integers` for the values (small requests take the next values
of a block generated ahead, as ipclab does; -u turns that off), `recv_into` into preallocated
buffers, and numpy arrays handed straight to `sendmsg`/`sendall`/`os.writev` (no `.tobytes()`).
It speaks IPC Lab protocol version 1 for real (48-byte request with CRC-32, CHUNK frames of at
most 262144 big-endian int32, 40-byte END), so it can also serve ipclab clients (-s) or be the
client of an ipclab server (-a).

    python floor.py pingpong TRANSPORT [-n N] [-r REQUESTS] [-c CLIENTS] [-w WARMUP]
    python floor.py bulk TRANSPORT [-n N] [-k REPETITIONS]
    options: -V (clients count the values), -u (no block of values generated ahead),
             -S CPU / -C CPU (pin server / clients, Linux),
             -s ADDRESS (only serve), -a ADDRESS (only be the client of a server at ADDRESS)

TRANSPORT is fifo, tcp (127.0.0.1, TCP_NODELAY) or unix. The server is forked: one process per
connection for sockets, one process for the FIFO transport. Each measurement prints one JSON
object on stdout, with the same fields as floor.c.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import mmap
import os
import signal
import socket
import struct
import sys
import tempfile
import time
import zlib

import numpy as np

MAGIC = b"IPCL"
REQUEST = struct.Struct(">4sBBHIIIIIiiQ")  # without the CRC (44 bytes)
CRC = struct.Struct(">I")
HEADER = struct.Struct(">4sBBHII")  # CHUNK header (16 bytes)
END = struct.Struct(">4sBBHIIIIQQ")  # END (40 bytes)
REQUEST_SIZE, HEADER_SIZE, END_SIZE = 48, 16, 40
MAX_CHUNK = 262_144
LO, HI = 1, 10
PIPE_BIG = 1 << 20
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
now = time.perf_counter
now_ns = time.perf_counter_ns


def pin(cpu: int | None) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})


# ---- server ------------------------------------------------------------------------------------

class Writer:
    """Writes whole buffers (gathered) to a socket or a blocking pipe descriptor."""

    def __init__(self, sock: socket.socket | None = None, fd: int = -1) -> None:
        self.sock = sock
        self.fd = fd

    def write(self, buffers: list) -> None:
        total = sum(memoryview(b).nbytes for b in buffers)
        sent = self.sock.sendmsg(buffers) if self.sock is not None else os.writev(self.fd, buffers)
        if sent == total:
            return
        for buffer in buffers:  # partial (large replies): finish buffer by buffer
            view = memoryview(buffer).cast("B")
            if sent >= len(view):
                sent -= len(view)
                continue
            view = view[sent:]
            sent = 0
            if self.sock is not None:
                self.sock.sendall(view)
            else:
                while len(view):
                    view = view[os.write(self.fd, view):]


class Values:
    """Random values in wire order. Small requests take the next values of a block generated ahead
    (numpy's per-call cost, several microseconds, is then paid once per 65536 values); larger
    requests call `Generator.integers` directly. `pooled=False` calls it for every request."""

    POOL = 65_536
    SMALL = 256

    def __init__(self, pooled: bool = True) -> None:
        self.rng = np.random.default_rng()
        self.pooled = pooled
        self.pool = np.empty(0, np.int32)
        self.pool_range = (0, 0)
        self.position = 0

    def take(self, count: int, lo: int, hi: int) -> np.ndarray:
        if self.pooled and count <= self.SMALL:
            if self.pool_range != (lo, hi) or self.position + count > len(self.pool):
                self.pool = self.rng.integers(lo, hi, size=self.POOL, dtype=np.int32, endpoint=True)
                self.pool.byteswap(inplace=True)
                self.pool_range, self.position = (lo, hi), 0
            start = self.position
            self.position += count
            return self.pool[start:self.position]
        values = self.rng.integers(lo, hi, size=count, dtype=np.int32, endpoint=True)
        values.byteswap(inplace=True)
        return values


def serve_request(out: Writer, request: memoryview | bytes, values: Values, pid: int) -> bool:
    """Answer one request (checked here); False if it is not a valid request."""
    start = now_ns()
    if request[:4] != MAGIC or zlib.crc32(request[:44]) != CRC.unpack_from(request, 44)[0]:
        return False
    _, version, kind, length, _, _, request_id, flags, count, lo, hi, _ = REQUEST.unpack_from(request)
    if version != 1 or kind != 1 or length != REQUEST_SIZE or flags or lo > hi:
        return False
    if count <= MAX_CHUNK:
        buffers = []
        generation = 0
        if count:
            before = now_ns()
            chunk = values.take(count, lo, hi)
            generation = now_ns() - before
            buffers = [HEADER.pack(MAGIC, 1, 2, 0, request_id, count), chunk]
        buffers.append(END.pack(MAGIC, 1, 3, 0, request_id, count, pid, 0, generation, now_ns() - start))
        out.write(buffers)
        return True
    generation = 0
    left = count
    while left:
        size = min(left, MAX_CHUNK)
        before = now_ns()
        chunk = values.take(size, lo, hi)
        generation += now_ns() - before
        out.write([HEADER.pack(MAGIC, 1, 2, 0, request_id, size), chunk])
        left -= size
    out.write([END.pack(MAGIC, 1, 3, 0, request_id, count, pid, 0, generation, now_ns() - start)])
    return True


POOLED = True  # -u (unpooled) sets it to False


def serve_connection(conn: socket.socket) -> None:
    rng = Values(POOLED)
    pid = os.getpid()
    out = Writer(sock=conn)
    request = bytearray(REQUEST_SIZE)
    view = memoryview(request)
    while True:
        got = 0
        while got < REQUEST_SIZE:
            n = conn.recv_into(view[got:])
            if not n:
                return
            got += n
        if not serve_request(out, view, rng, pid):
            return


def socket_server(listener: socket.socket, transport: str) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the per-connection children
    while True:
        conn, _ = listener.accept()
        if transport == "tcp":
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if os.fork() == 0:
            listener.close()
            try:
                serve_connection(conn)
            except OSError:
                pass
            os._exit(0)
        conn.close()


def fifo_server(directory: str) -> None:
    path = os.path.join(directory, "request.fifo")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    keep = os.open(path, os.O_WRONLY)  # noqa: F841 - held so that read() never sees end-of-file
    os.set_blocking(fd, True)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    rng = Values(POOLED)
    pid = os.getpid()
    replies: dict[tuple[int, int], Writer] = {}
    buffer = bytearray()
    while True:
        buffer += os.read(fd, REQUEST_SIZE * 64)
        position = 0
        view = memoryview(buffer)
        while len(buffer) - position >= REQUEST_SIZE:
            request = bytes(view[position:position + REQUEST_SIZE])
            client_pid, channel = struct.unpack_from(">II", request, 8)
            key = (client_pid, channel)
            writer = replies.get(key)
            if writer is None:
                try:
                    reply = os.open(os.path.join(directory, f"reply-{client_pid}-{channel}.fifo"),
                                    os.O_WRONLY | os.O_NONBLOCK)
                except OSError:
                    position += REQUEST_SIZE  # the client is gone
                    continue
                os.set_blocking(reply, True)
                writer = replies[key] = Writer(fd=reply)
            try:
                ok = serve_request(writer, request, rng, pid)
            except OSError:
                os.close(replies.pop(key).fd)
                ok = True
            position += REQUEST_SIZE if ok else 1
        view.release()
        del buffer[:position]


def make_fifo_directory(directory: str) -> None:
    os.makedirs(directory, mode=0o700, exist_ok=True)
    path = os.path.join(directory, "request.fifo")
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    os.mkfifo(path, 0o600)


def listen_on(transport: str, address: str) -> tuple[socket.socket, str]:
    if transport == "tcp":
        host, _, port = address.rpartition(":")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, int(port)))
        listener.listen(1024)
        host, port = listener.getsockname()
        return listener, f"{host}:{port}"
    try:
        os.unlink(address)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(1024)
    return listener, address


def start_server(transport: str, address: str, server_cpu: int | None) -> tuple[int, str]:
    """Fork the server; return (pid, real address) once it accepts requests."""
    listener = None
    if transport == "fifo":
        make_fifo_directory(address)
    else:
        listener, address = listen_on(transport, address)
    pid = os.fork()
    if pid == 0:
        try:
            pin(server_cpu)
            if transport == "fifo":
                with open(os.path.join(address, "server.pid"), "w") as handle:
                    handle.write(f"{os.getpid()}\n")
                fifo_server(address)
            else:
                socket_server(listener, transport)
        except BaseException:  # noqa: BLE001 - say why the server died, then leave
            import traceback

            traceback.print_exc()
        finally:
            os._exit(1)
    if listener is not None:
        listener.close()
    else:  # wait until the server reads the request FIFO
        path = os.path.join(address, "request.fifo")
        for _ in range(5000):
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
                break
            except OSError:
                time.sleep(0.001)
    return pid, address


# ---- client ------------------------------------------------------------------------------------

class Client:
    """One client: a connection (or a reply FIFO), a request buffer, a reply buffer."""

    def __init__(self, transport: str, address: str, big_pipe: bool = False, verify: bool = False) -> None:
        self.transport = transport
        self.pid = os.getpid()
        self.next_id = 1
        self.verify = verify
        self.histogram = np.zeros(HI - LO + 1, dtype=np.int64)
        self.request = bytearray(REQUEST_SIZE)
        self.buffer = bytearray(HEADER_SIZE + 4 * MAX_CHUNK + END_SIZE)
        self.view = memoryview(self.buffer)
        self.reply_path = None
        self.sock = None
        if transport == "fifo":
            self.reply_path = os.path.join(address, f"reply-{self.pid}-0.fifo")
            try:
                os.unlink(self.reply_path)
            except FileNotFoundError:
                pass
            os.mkfifo(self.reply_path, 0o600)
            self.rfd = os.open(self.reply_path, os.O_RDWR)  # we hold a writer: no false EOF
            if big_pipe:
                fcntl.fcntl(self.rfd, F_SETPIPE_SZ, PIPE_BIG)
            self.wfd = os.open(os.path.join(address, "request.fifo"), os.O_WRONLY)
            rfd = self.rfd
            self.send = lambda data: os.write(self.wfd, data)
            self.read_into = lambda view: os.readv(rfd, [view])
        else:
            if transport == "tcp":
                host, _, port = address.rpartition(":")
                self.sock = socket.create_connection((host, int(port)))
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            else:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(address)
            self.send = self.sock.sendall
            self.read_into = self.sock.recv_into

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        else:
            os.close(self.wfd)
            os.close(self.rfd)
            os.unlink(self.reply_path)

    def _read_exact(self, view: memoryview) -> None:
        if self.sock is not None:
            got = self.sock.recv_into(view, len(view), socket.MSG_WAITALL)
        else:
            got = 0
        while got < len(view):
            n = self.read_into(view[got:])
            if not n:
                raise EOFError("the server closed the channel")
            got += n

    def exchange(self, count: int) -> np.ndarray | None:
        """One exchange; returns the values (a view of the reply buffer, big-endian) if one chunk."""
        request_id = self.next_id
        self.next_id += 1
        REQUEST.pack_into(self.request, 0, MAGIC, 1, 1, REQUEST_SIZE, self.pid, 0, request_id, 0, count, LO, HI, 0)
        CRC.pack_into(self.request, 44, zlib.crc32(memoryview(self.request)[:44]))
        self.send(self.request)
        view = self.view
        if count <= MAX_CHUNK:  # one chunk: the whole size is known, read it with as few calls as possible
            total = (HEADER_SIZE + 4 * count if count else 0) + END_SIZE
            got = 0
            read_into = self.read_into
            while got < total:
                n = read_into(view[got:total])
                if not n:
                    raise EOFError("the server closed the channel")
                got += n
            end = END.unpack_from(self.buffer, total - END_SIZE)
            if end[0] != MAGIC or end[2] != 3 or end[4] != request_id or end[5] != count:
                raise ValueError(f"bad END frame {end}")
            if not count:
                return None
            header = HEADER.unpack_from(self.buffer)
            if header[0] != MAGIC or header[2] != 2 or header[4] != request_id or header[5] != count:
                raise ValueError(f"bad CHUNK header {header}")
            values = np.frombuffer(self.buffer, ">i4", count, HEADER_SIZE)
            if self.verify:
                self.histogram += np.bincount(values.astype(np.int32) - LO, minlength=HI - LO + 1)[:HI - LO + 1]
            return values
        received = 0
        header_view = view[:HEADER_SIZE]
        while True:
            self._read_exact(header_view)
            magic, _, kind, _, rid, size = HEADER.unpack_from(self.buffer)
            if magic != MAGIC or rid != request_id:
                raise ValueError("bad reply frame")
            if kind == 3:
                self._read_exact(view[HEADER_SIZE:END_SIZE])
                if size != count or received != count:
                    raise ValueError(f"reply ended after {received} of {count} values")
                return None
            if kind != 2 or not 1 <= size <= MAX_CHUNK or received + size > count:
                raise ValueError("bad CHUNK frame")
            self._read_exact(view[HEADER_SIZE:HEADER_SIZE + 4 * size])
            if self.verify:
                values = np.frombuffer(self.buffer, ">i4", size, HEADER_SIZE).astype(np.int32)
                self.histogram += np.bincount(values - LO, minlength=HI - LO + 1)[:HI - LO + 1]
            received += size


# ---- measurements ------------------------------------------------------------------------------

def pingpong(args: argparse.Namespace, transport: str, address: str, target: str) -> int:
    requests, clients = args.requests, min(args.clients, args.requests)
    warmup = args.warmup if args.warmup is not None else min(200, requests // clients // 10)
    shared = mmap.mmap(-1, 8 * (requests + clients + 1))
    latencies = np.frombuffer(shared, np.float64, requests, 0)
    end_times = np.frombuffer(shared, np.float64, clients, 8 * requests)
    failures = np.frombuffer(shared, np.float64, 1, 8 * (requests + clients))
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    children = []
    offset = 0
    for index in range(clients):
        share = requests // clients + (1 if index < requests % clients else 0)
        start = offset
        offset += share
        pid = os.fork()
        if pid:
            children.append(pid)
            continue
        status = 0
        try:
            os.close(ready_r)
            os.close(go_w)
            pin(args.client_cpu)
            client = Client(transport, address, verify=args.verify)
            count = args.n
            for _ in range(warmup):
                client.exchange(count)
            os.write(ready_w, b"1")
            os.read(go_r, 1)  # end-of-file: go
            exchange = client.exchange
            mine = latencies[start:start + share]
            for k in range(share):
                t0 = now()
                exchange(count)
                mine[k] = now() - t0
            end_times[index] = now()
            client.close()
        except BaseException as error:  # noqa: BLE001 - report and fail this client
            print(f"floor.py: client {index}: {error!r}", file=sys.stderr)
            end_times[index] = now()
            failures[0] += 1
            status = 1
        finally:
            os._exit(status)
    os.close(ready_w)
    os.close(go_r)
    for _ in range(clients):
        if not os.read(ready_r, 1):
            print("floor.py: a client failed to start", file=sys.stderr)
            break
    t0 = now()
    os.close(go_w)
    for pid in children:
        os.waitpid(pid, 0)
    os.close(ready_r)
    elapsed = float(max(end_times.max(), t0) - t0)
    us = np.sort(latencies * 1e6)
    report = {
        "impl": "python", "mode": "pingpong", "transport": transport, "target": target, "n": args.n,
        "concurrency": clients, "requests": requests, "failures": int(failures[0]), "verify": args.verify,
        "pooled": POOLED if target == "floor" else None,
        "elapsed_s": round(elapsed, 6), "exchanges_per_s": round(requests / elapsed, 1),
        "numbers_per_s": round(requests * args.n / elapsed, 1),
        "latency_us": {
            "p50": round(float(np.quantile(us, 0.5)), 2), "p90": round(float(np.quantile(us, 0.9)), 2),
            "p99": round(float(np.quantile(us, 0.99)), 2), "p99.9": round(float(np.quantile(us, 0.999)), 2),
            "max": round(float(us[-1]), 2), "mean": round(float(us.mean()), 2),
        },
    }
    print(json.dumps(report), flush=True)
    return 1 if report["failures"] else 0


def bulk(args: argparse.Namespace, transport: str, address: str, target: str) -> int:
    pin(args.client_cpu)
    client = Client(transport, address, big_pipe=True, verify=args.verify)
    if client.sock is not None:
        client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    failures = 0
    seconds = []
    for repetition in range(args.repetitions + 1):  # the first is a warm-up
        t0 = now()
        try:
            client.exchange(args.n)
        except (OSError, ValueError, EOFError) as error:
            print(f"floor.py: {error!r}", file=sys.stderr)
            failures += 1
            break
        if repetition:
            seconds.append(now() - t0)
    client.close()
    seconds = sorted(seconds) or [float("nan")]
    best, median = seconds[0], float(np.median(seconds))
    print(json.dumps({
        "impl": "python", "mode": "bulk", "transport": transport, "target": target, "n": args.n,
        "repetitions": args.repetitions, "failures": failures, "verify": args.verify,
        "values_counted": int(client.histogram.sum()),
        "seconds_best": round(best, 6), "seconds_median": round(median, 6),
        "numbers_per_s": round(args.n / best, 1), "numbers_per_s_median": round(args.n / median, 1),
        "megabytes_per_s": round(4 * args.n / best / 1e6, 1),
        "megabytes_per_s_median": round(4 * args.n / median / 1e6, 1),
    }), flush=True)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("pingpong", "bulk"))
    parser.add_argument("transport", choices=("fifo", "tcp", "unix"))
    parser.add_argument("-n", type=int, help="values per exchange (pingpong 10, bulk 10^7)")
    parser.add_argument("-r", dest="requests", type=int, default=20000, help="exchanges in all (pingpong)")
    parser.add_argument("-c", dest="clients", type=int, default=1, help="client processes (pingpong)")
    parser.add_argument("-w", dest="warmup", type=int, help="warm-up exchanges per client")
    parser.add_argument("-k", dest="repetitions", type=int, default=5, help="repetitions (bulk)")
    parser.add_argument("-u", dest="unpooled", action="store_true",
                        help="server calls Generator.integers for every request, even small ones")
    parser.add_argument("-V", dest="verify", action="store_true", help="clients count the values (a histogram)")
    parser.add_argument("-S", dest="server_cpu", type=int, help="pin the server to this CPU")
    parser.add_argument("-C", dest="client_cpu", type=int, help="pin the clients to this CPU")
    parser.add_argument("-s", dest="serve", metavar="ADDRESS", help="only serve at ADDRESS")
    parser.add_argument("-a", dest="connect", metavar="ADDRESS", help="only be the client of a server at ADDRESS")
    args = parser.parse_args(argv)
    if args.n is None:
        args.n = 10_000_000 if args.mode == "bulk" else 10
    transport = args.transport
    global POOLED
    POOLED = not args.unpooled
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if args.serve:
        pin(args.server_cpu)
        if transport == "fifo":
            make_fifo_directory(args.serve)
            print(json.dumps({"event": "ready", "transport": "fifo", "address": args.serve, "pid": os.getpid()}),
                  flush=True)
            fifo_server(args.serve)
        listener, address = listen_on(transport, args.serve)
        print(json.dumps({"event": "ready", "transport": transport, "address": address, "pid": os.getpid()}),
              flush=True)
        socket_server(listener, transport)
        return 0
    measure = bulk if args.mode == "bulk" else pingpong
    if args.connect:
        return measure(args, transport, args.connect, "external")
    with tempfile.TemporaryDirectory(prefix="ipclab-floor-") as temp:
        address = {"tcp": "127.0.0.1:0", "unix": os.path.join(temp, "floor.sock"),
                   "fifo": os.path.join(temp, "fifo")}[transport]
        server, address = start_server(transport, address, args.server_cpu)
        try:
            return measure(args, transport, address, "floor")
        finally:
            os.kill(server, signal.SIGKILL)
            os.waitpid(server, 0)


if __name__ == "__main__":
    sys.exit(main())
