"""The original exercise's flawed FIFO design, for demonstration only (never a default).

    DIR/naive-request.fifo   every client writes its 48-byte request here (as in the good design)
    DIR/naive-reply.fifo     ... and every client reads its reply from this ONE shared FIFO

With several clients at once a reply goes to whichever client happens to read first, so clients
receive each other's numbers. `ipclab serve naive-fifo` runs such a server (robust otherwise:
non-blocking opens, timeouts, the usual events); `run_mixup_demo` runs several clients at once
against it, or against the textbook design ("fifo", one reply FIFO per client), and counts the
replies each client got right, mixed up or lost.
"""

from __future__ import annotations

import errno
import os
import select
import stat
import threading
import time
from dataclasses import dataclass, field

from backend.protocol import frames as protocol
from backend.protocol.engine import FrameReader, ProtocolMismatch, client_exchange
from backend.protocol.frames import FrameType, ProtocolError, Request
from backend.servers.events import EventWriter
from backend.servers.fifo_server import FifoServer
from backend.servers.server import ServerConfig
from backend.transports.base import (
    Cancelled,
    ConnectionRefused,
    PeerClosed,
    TimedOut,
    TransportError,
)
from backend.transports.fifo import (
    FifoClientChannel,
    FifoDirectory,
    FifoWriteChannel,
    runtime_base_directory,
)

NAIVE_REQUEST_FIFO = "naive-request.fifo"
NAIVE_REPLY_FIFO = "naive-reply.fifo"
NAIVE_WRITE_TIMEOUT = 1.0  # nobody reads the shared FIFO for this long: drop the reply
REQUEST_ID_BLOCK = 1_000_000  # client k uses request ids k * 1_000_000 + n
MIXUP_LO, MIXUP_HI = 1, 100


def default_naive_directory() -> str:
    """Where `ipclab serve naive-fifo` lives when no --dir is given."""
    return os.path.join(runtime_base_directory(), "naive-fifo")


class NaiveFifoDirectory(FifoDirectory):
    """The private 0700 directory with the two shared FIFOs, cleaned up like the good design's."""

    request_name = NAIVE_REQUEST_FIFO
    other_fifo_names = (NAIVE_REPLY_FIFO,)

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.reply_path = os.path.join(self.path, NAIVE_REPLY_FIFO)

    def prepare(self) -> None:
        super().prepare()
        os.mkfifo(self.reply_path, 0o600)

    def open_shared_reply(self) -> int:
        """Open the shared reply FIFO for writing without ever blocking; ReplyFifoError-like
        TransportError when nobody has it open for reading."""
        try:
            fd = os.open(self.reply_path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as error:
            if error.errno == errno.ENXIO:
                raise PeerClosed(f"nobody is reading {NAIVE_REPLY_FIFO}") from None
            raise TransportError(f"cannot open {NAIVE_REPLY_FIFO}: {error.strerror}") from None
        info = os.fstat(fd)
        if not stat.S_ISFIFO(info.st_mode) or info.st_uid != os.getuid():
            os.close(fd)
            raise TransportError(f"{NAIVE_REPLY_FIFO} is not a FIFO of ours; refusing it")
        return fd


class NaiveFifoServer(FifoServer):
    """Reads requests like the FIFO server, but writes every reply to the one shared reply FIFO."""

    transport = "naive-fifo"

    def __init__(self, config: ServerConfig, events: EventWriter) -> None:
        super().__init__(config, events)
        self.directory = NaiveFifoDirectory(config.address or default_naive_directory())

    def _handle_frame(self, frame: memoryview, received_ns: int) -> None:
        pid, channel, request_id = protocol.peek_request_identity(frame)
        client = f"pid {pid}/{channel}"
        try:
            request = protocol.decode_request(frame, self.config.max_count)
        except ProtocolError as error:
            self.events.client("client_error", client=client, error=error.message, code=int(error.code))
            self._write_shared([protocol.encode_error(request_id, error.code, error.message)], client)
            return
        key = (pid, channel)
        if key not in self._known_clients:
            self._known_clients[key] = None
            if len(self._known_clients) > 4096:
                self._known_clients.popitem(last=False)
            self.events.client("client_connected", client=client)
        try:
            reply = FifoWriteChannel(self.directory.open_shared_reply(), self.cancellation)
        except TransportError as error:
            self.events.client("client_gone", client=client, reason=str(error))
            return
        try:
            # One writev of CHUNK + END: atomic for replies up to PIPE_BUF, so replies never
            # interleave; they just go to whoever reads first.
            self._serve_one(request, reply, client, received_ns, min(self.config.write_timeout, NAIVE_WRITE_TIMEOUT))
        except Cancelled:
            pass
        except (PeerClosed, TimedOut) as error:
            self.events.client("client_error", client=client, error=f"reply dropped: {error}")
        except Exception as error:  # noqa: BLE001 - one request's failure must not stop the server
            self.events.client("client_error", client=client, error=f"internal error: {error!r}")
        finally:
            reply.close()

    def _write_shared(self, buffers: list, client: str) -> None:
        try:
            reply = FifoWriteChannel(self.directory.open_shared_reply(), self.cancellation)
        except TransportError:
            return
        try:
            reply.write_all(buffers, NAIVE_WRITE_TIMEOUT)
        except TransportError:
            pass
        finally:
            reply.close()


# -- the mix-up demonstration ------------------------------------------------------------------

@dataclass
class MixupReport:
    """What several simultaneous clients received: their own replies, others', or nothing."""

    transport: str
    clients: int
    correct: int = 0
    mixed: int = 0
    lost: int = 0
    per_client: list[dict] = field(default_factory=list)  # {"client", "correct", "mixed", "lost"}
    examples: list[str] = field(default_factory=list)  # up to 5 plain sentences

    def summary(self) -> str:
        """One sentence for the class."""
        total = self.correct + self.mixed + self.lost
        return (f"{self.clients} clients made {total} requests over {self.transport}: {self.correct} got their own "
                f"reply, {self.mixed} got another client's reply, {self.lost} got nothing.")


class NaiveFifoClient:
    """A client of the naive design: writes to naive-request.fifo, reads the shared naive-reply.fifo."""

    def __init__(self, directory: str) -> None:
        directory = os.path.abspath(directory)
        request_path = os.path.join(directory, NAIVE_REQUEST_FIFO)
        try:
            self._request_fd = os.open(request_path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as error:
            if error.errno in (errno.ENXIO, errno.ENOENT):
                raise ConnectionRefused(f"no naive-fifo server is reading {request_path}") from None
            raise TransportError(f"cannot open {request_path}: {error.strerror}") from None
        try:
            # Read-write, so the open never blocks and reads never see a false end-of-file.
            self._reply_fd = os.open(os.path.join(directory, NAIVE_REPLY_FIFO),
                                     os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as error:
            os.close(self._request_fd)
            raise TransportError(f"cannot open {NAIVE_REPLY_FIFO}: {error.strerror}") from None
        self._poller = select.poll()
        self._poller.register(self._reply_fd, select.POLLIN)

    def exchange(self, request: Request, timeout: float) -> tuple[int, int] | None:
        """Send `request`; return (request id, number of values) of the first whole reply read
        from the shared FIFO, or None if none arrived within `timeout`. Bytes read beyond that
        reply are dropped: whichever client they were for, it will never see them."""
        try:
            os.write(self._request_fd, protocol.encode_request(request))
        except BlockingIOError:
            return None
        except BrokenPipeError:
            raise PeerClosed("the server no longer reads its request FIFO") from None
        buffer = bytearray()
        deadline = time.monotonic() + timeout
        while True:
            reply = _first_reply(buffer)
            if reply is not None:
                return reply
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poller.poll(max(1, int(remaining * 1000))):
                return None
            try:
                buffer += os.read(self._reply_fd, 1 << 20)
            except BlockingIOError:
                continue  # another client read it first

    def close(self) -> None:
        for name in ("_request_fd", "_reply_fd"):
            fd = getattr(self, name, -1)
            if fd >= 0:
                os.close(fd)
                setattr(self, name, -1)


def _first_reply(buffer: bytearray) -> tuple[int, int] | None:
    """(request id, values) of the first complete reply in `buffer` (skipping garbage), or None."""
    position = buffer.find(protocol.MAGIC)
    values = 0
    while position >= 0 and len(buffer) - position >= protocol.REPLY_HEADER_SIZE:
        try:
            frame_type, request_id, size = protocol.decode_reply_header(buffer[position:position + 16])
        except ProtocolError:
            position = buffer.find(protocol.MAGIC, position + 1)
            continue
        length = protocol.REPLY_HEADER_SIZE + (4 * size if frame_type == FrameType.CHUNK else size)
        if len(buffer) - position < length:
            return None
        if frame_type == FrameType.CHUNK:
            values += size
            position += length
            continue
        if frame_type == FrameType.END:
            return request_id, values
        return request_id, -1  # an ERROR frame
    return None


class _TextbookMixupClient:
    """The textbook design's client for the same demonstration: its own reply FIFO."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._channel: FifoClientChannel | None = None
        self._reader: FrameReader | None = None
        self._open()

    def _open(self) -> None:
        self._channel = FifoClientChannel(self.directory)
        self._reader = FrameReader(self._channel)

    def exchange(self, request: Request, timeout: float) -> tuple[int, int] | None:
        assert self._channel is not None and self._reader is not None
        request = Request(request.pid, self._channel.channel, request.request_id, request.count, request.lo, request.hi)
        try:
            result = client_exchange(self._channel, self._reader, request, timeout)
        except TimedOut:
            self.close()
            self._open()
            return None
        except ProtocolMismatch as error:
            self.close()
            self._open()
            words = str(error).split()
            other = int(words[3]) if len(words) > 3 and words[:3] == ["reply", "for", "request"] else 0
            return other, -1
        return result.request_id, result.count

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None


def _owner(request_id: int) -> int:
    return request_id // REQUEST_ID_BLOCK


def _example(client: int, asked: int, request_id: int, got: tuple[int, int] | None, timeout: float) -> str:
    start = f"client {client} asked for {asked} numbers (request {request_id}) and "
    if got is None:
        return start + f"received nothing within {timeout:g} s"
    other_id, values = got
    what = f"{values} numbers" if values >= 0 else "an error"
    owner = _owner(other_id)
    whose = "its own earlier reply" if owner == client else f"client {owner}'s reply" if owner else "a stranger's reply"
    return start + f"received {whose}: {what} (request {other_id})"


def run_mixup_demo(transport: str, address: str, clients: int = 4, requests_per_client: int = 20,
                   timeout: float = 2.0) -> MixupReport:
    """Run `clients` clients at once, `requests_per_client` requests each, and classify every reply.

    `transport` is "naive-fifo" (one shared reply FIFO: replies get mixed up) or "fifo" (the
    textbook design: a reply FIFO per client, never mixed). Client k (1..clients) asks for k+1
    numbers with request ids k*1_000_000 + n. Raises TransportError if the server is not there.
    """
    if transport not in ("naive-fifo", "fifo"):
        raise ValueError(f"the mix-up demonstration runs on naive-fifo or fifo, not {transport!r}")
    if not 1 <= clients <= 999 or not 0 <= requests_per_client < REQUEST_ID_BLOCK:
        raise ValueError("clients must be in 1..999 and requests_per_client in 0..999999")
    factory = NaiveFifoClient if transport == "naive-fifo" else _TextbookMixupClient
    opened: list = []
    try:
        for _ in range(clients):
            opened.append(factory(address))
    except BaseException:
        for client in opened:
            client.close()
        raise
    report = MixupReport(transport, clients)
    report.per_client = [{"client": k, "correct": 0, "mixed": 0, "lost": 0} for k in range(1, clients + 1)]
    lock = threading.Lock()
    start = threading.Barrier(clients)
    failures: list[BaseException] = []
    examples: list[str] = []
    pid = os.getpid()

    def run(k: int, client) -> None:
        counts = report.per_client[k - 1]
        try:
            start.wait(timeout=10)
            for n in range(1, requests_per_client + 1):
                request_id = k * REQUEST_ID_BLOCK + n
                got = client.exchange(Request(pid, k, request_id, k + 1, MIXUP_LO, MIXUP_HI), timeout)
                kind = "lost" if got is None else "correct" if got == (request_id, k + 1) else "mixed"
                with lock:
                    counts[kind] += 1
                    setattr(report, kind, getattr(report, kind) + 1)
                    if kind != "correct" and len(examples) < 50:
                        examples.append(_example(k, k + 1, request_id, got, timeout))
        except threading.BrokenBarrierError:
            pass
        except (TransportError, OSError) as error:
            with lock:
                failures.append(error)
            start.abort()

    threads = [threading.Thread(target=run, args=(k, client), name=f"ipclab-mixup-{k}", daemon=True)
               for k, client in enumerate(opened, start=1)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for client in opened:
            client.close()
    if failures:
        raise failures[0]
    # Another client's numbers first, then a client's own stale reply, then losses.
    examples.sort(key=lambda text: 2 if "received nothing" in text else 1 if "its own earlier" in text else 0)
    report.examples = examples[:5]
    return report
