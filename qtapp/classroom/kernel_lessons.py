"""The kernel-view lessons, one class each, and their registry (LESSONS): the guided tour and the
Faults tab start them by name. Each lesson starts real processes or threads (backend.classroom.
kernel_demos), tells the kernel monitor to watch them, and keeps its explanation on screen up to
date from what the kernel says at that moment — never from what the lesson expected.

    (a) fifo-open      open() on a FIFO blocks until the other side opens
    (b) back-pressure  a client never reads: the server blocks writing, its buffer full, then gives up
    (c) tcp-accept     an idle TCP server waits for a connection; one arrives
    (d) naive-mixup    the naive design: three readers on one FIFO; the kernel picks who gets a reply
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from backend.kernel_view.badges import badge_for_thread, channel_fills, process_badge, telling_thread
from backend.kernel_view.kernel_report import format_size
from qtapp.classroom.architecture_snapshot import ClientNode
from qtapp.classroom.kernel_sentences import badge_sentence, thread_summary
from qtapp.measuring import client_threads
from qtapp.measuring.server_qprocess import ServerState
from qtapp.window.background import BackgroundCall

WRITES = ("write", "writev", "sendto", "sendmsg")


def tr(text: str) -> str:
    return QCoreApplication.translate("KernelLessons", text)


class Lesson(QObject):
    """One lesson: `start()`, `stop()`; `explained(str title, str html)` whenever its text changes;
    `finished()` at its end. `labels` names the lanes of the timeline: (pid, tid) or pid -> name."""

    explained = Signal(str, str)
    finished = Signal()
    name = ""
    title = ""
    intro = ""
    shows_drawing = True  # the architecture drawing (badges, buffer fills) helps this lesson
    timeline_seconds = 15.0  # how much of the past the timeline shows

    def __init__(self, window, monitor) -> None:
        super().__init__(window)
        self.window = window
        self.monitor = monitor
        self.labels: dict = {}
        self.calls: list[BackgroundCall] = []
        self.done = False
        self.outcome = ""
        self.live = ""

    def start(self) -> None:
        self.monitor.snapshot_changed.connect(self._on_snapshot)
        self._say()
        self.begin()

    def begin(self) -> None:
        raise NotImplementedError

    def observe(self, snapshot) -> str:
        """The live sentence from this snapshot (what the kernel says now)."""
        return ""

    def _on_snapshot(self, snapshot) -> None:
        live = self.observe(snapshot)
        if live != self.live:
            self.live = live
            self._say()

    def _say(self) -> None:
        parts = [self.intro]
        if self.live:
            parts.append(tr("<b>The kernel says now:</b> ") + self.live)
        if self.outcome:
            parts.append(self.outcome)
        self.explained.emit(self.title, "<br><br>".join(parts))

    def conclude(self, outcome: str) -> None:
        self.outcome = outcome
        self._say()
        if not self.done:
            self.done = True
            self.finished.emit()

    def background(self, function, name: str, cancel=None) -> BackgroundCall:
        call = BackgroundCall(function, name, cancel=cancel, parent=self)
        self.calls.append(call)
        call.start()
        return call

    def stop(self) -> None:
        try:
            self.monitor.snapshot_changed.disconnect(self._on_snapshot)
        except (RuntimeError, TypeError):
            pass
        for call in self.calls:
            call.shutdown()
        for key in [key for key in self.window.extra_clients if key.startswith("lesson-")]:
            del self.window.extra_clients[key]
        self.monitor.extra_pids.pop("lesson", None)
        self.window.refresh_architecture()


class FifoOpenLesson(Lesson):
    shows_drawing = False  # cat and sh are not IPC Lab processes: the timeline tells it all
    name = "fifo-open"
    title = tr("(a) Opening a FIFO blocks until the other side opens")
    intro = tr("<b>cat</b> opens <tt>request.fifo</tt> to read it. Nobody has opened it for writing yet, so the "
               "kernel keeps cat waiting <i>inside</i> open(). In 5 seconds a shell opens the other end: "
               "watch both lanes move on.")
    WRITER_AFTER_MS = 5000

    def begin(self) -> None:
        from backend.classroom.kernel_demos import FifoOpenDemo

        self.demo = FifoOpenDemo()
        reader = self.demo.start_reader()
        self.labels = {reader: tr("reader: cat {pid}").format(pid=reader)}
        self.monitor.extra_pids["lesson"] = [reader]
        QTimer.singleShot(self.WRITER_AFTER_MS, self._open_writer)
        self._poll = QTimer(self)
        self._poll.setInterval(200)
        self._poll.timeout.connect(self._check_done)
        self._poll.start()

    def _open_writer(self) -> None:
        if self.done or self.demo is None:
            return
        writer = self.demo.start_writer(hold_seconds=3.0)
        self.labels[writer] = tr("writer: sh {pid}").format(pid=writer)
        self.monitor.extra_pids["lesson"] = self.demo.pids

    def observe(self, snapshot) -> str:
        lines = []
        for pid, label in self.labels.items():
            process = snapshot.process(pid) if snapshot.supported else None
            if process is not None and process.alive:
                lines.append(f"{label}: {badge_sentence(badge_for_thread(telling_thread(process)))}")
        return "<br>".join(lines)

    def _check_done(self) -> None:
        if self.demo.writer is not None and self.demo.finished():
            self._poll.stop()
            self.conclude(tr("Both proceeded: the writer's open() returned, cat's open() returned too, cat read "
                             "\"hello\" and both exited. A FIFO's open() is a rendezvous: each side waits for the "
                             "other."))

    def stop(self) -> None:
        if getattr(self, "_poll", None) is not None:
            self._poll.stop()
        super().stop()
        if getattr(self, "demo", None) is not None:
            self.demo.close()
            self.demo = None


class BackPressureLesson(Lesson):
    name = "back-pressure"
    title = tr("(b) Back-pressure: a client that never reads")
    HOLD_SECONDS = 15.0  # longer than the server's --write-timeout (10 s by default)
    timeline_seconds = 20.0

    def __init__(self, window, monitor, transport: str = "tcp") -> None:
        super().__init__(window, monitor)
        self.transport = transport
        blocks = (tr("then the server cannot write on: its reply FIFO is non-blocking, so it waits in poll() for "
                     "room") if transport == "fifo" else tr("then the server's write cannot go on: it blocks"))
        self.intro = tr("A client asks the {transport} server for 50 million numbers and never reads them. The "
                        "kernel's buffers between them fill up; {blocks}. After its write timeout (10 s) the server "
                        "gives up on that client.").format(
            transport={"fifo": "FIFO", "tcp": "TCP", "unix": "Unix socket"}[transport], blocks=blocks)
        self.saw_blocked = False
        self.blocked_since = 0.0
        self.gave_up_after: float | None = None

    def begin(self) -> None:
        self.window.ensure_server(self.transport, self._launch)

    def _launch(self) -> None:
        from backend.classroom.kernel_demos import client_that_never_reads
        from backend.transports.cancel import Cancellation

        server = self.window.servers[self.transport]
        self.server_pid = server.pid
        self.labels = {server.pid: tr("server {pid}").format(pid=server.pid)}
        self.cancellation = Cancellation()
        self.window.extra_clients["lesson-backpressure"] = ClientNode("lesson-backpressure", self.transport,
                                                                      tr("client, never reads"))
        transport, address = self.transport, server.address
        call = self.background(lambda: client_that_never_reads(transport, address, 50_000_000, self.HOLD_SECONDS,
                                                               self.cancellation),
                               "lesson-backpressure", cancel=self.cancellation.cancel)
        call.done.connect(lambda unread: self.conclude(tr(
            "The client let go after {seconds:g} s with {unread} unread in its end.").format(
            seconds=self.HOLD_SECONDS, unread=format_size(unread)) + " " + self.timeout_words()))
        call.failed.connect(lambda message: self.conclude(tr("The lesson failed: {message}").format(message=message)))
        self.window.refresh_architecture()

    def timeout_words(self) -> str:
        if self.gave_up_after is not None:
            return tr("The server had given up first, after {seconds:.0f} s blocked: its write timeout.").format(
                seconds=self.gave_up_after)
        return ""

    def observe(self, snapshot) -> str:
        process = snapshot.process(getattr(self, "server_pid", 0)) if snapshot.supported else None
        if process is None:
            return ""
        writer = next((thread for thread in process.threads if thread.blocked and (
            thread.call in WRITES or thread.wait_kind in ("pipe-write", "socket-write") or
            (thread.call in ("poll", "ppoll") and "room to write" in thread.subject))), None)
        if writer is None:
            if self.saw_blocked:
                if self.gave_up_after is None:
                    self.gave_up_after = snapshot.time - self.blocked_since
                return tr("server {pid} no longer writes to that client: blocked for {seconds:.0f} s, its write "
                          "timeout expired, it gave up and closed the channel; it serves the others as before.").format(
                    pid=process.pid, seconds=self.gave_up_after)
            return tr("server {pid}: {sentence}").format(pid=process.pid, sentence=badge_sentence(process_badge(snapshot, process.pid)))
        if not self.saw_blocked:
            self.saw_blocked, self.blocked_since = True, snapshot.time
        fills = [f"{format_size(fill.used)} of {format_size(fill.capacity)}" + (tr(" — full") if fill.full else "")
                 for key, fill in channel_fills(snapshot).items() if fill.used and fill.capacity]
        buffer = (tr("; its buffer: ") + ", ".join(fills)) if fills else ""
        return tr("server {pid}, thread {tid}: {sentence}").format(pid=process.pid, tid=writer.tid,
                                                                   sentence=thread_summary(writer)) + buffer

    def stop(self) -> None:
        if getattr(self, "cancellation", None) is not None:
            self.cancellation.cancel()
        super().stop()


class TcpAcceptLesson(Lesson):
    transport = "tcp"
    name = "tcp-accept"
    title = tr("(c) An idle TCP server waits for a connection")
    intro = tr("The TCP server has nothing to do: its main thread sleeps in the kernel, waiting for a client on its "
               "listening socket. In 4 seconds a client connects, waits 3 seconds before asking, then asks.")
    CONNECT_AFTER_MS = 4000

    def begin(self) -> None:
        self.window.ensure_server("tcp", self._ready)

    def _ready(self) -> None:
        server = self.window.servers["tcp"]
        self.server_pid = server.pid
        self.labels = {server.pid: tr("TCP server {pid}").format(pid=server.pid)}
        QTimer.singleShot(self.CONNECT_AFTER_MS, self._connect)

    def _connect(self) -> None:
        from backend.classroom.kernel_demos import late_talker
        from backend.transports.cancel import Cancellation

        if self.done or self.window.servers["tcp"].state != ServerState.LISTENING:
            return
        self.cancellation = Cancellation()
        address = self.window.servers["tcp"].address
        self.window.extra_clients["lesson-talker"] = ClientNode("lesson-talker", "tcp", tr("late client"))
        call = self.background(lambda: late_talker("tcp", address, 3.0, self.cancellation), "lesson-talker",
                               cancel=self.cancellation.cancel)
        call.done.connect(lambda pid: self.conclude(tr(
            "A connection arrived: the server's poll() woke up, accept() returned a new socket and a new thread "
            "waited in recv() until the client spoke; then it answered (server pid {pid}).").format(pid=pid)))
        call.failed.connect(lambda message: self.conclude(tr("The lesson failed: {message}").format(message=message)))
        self.window.refresh_architecture()

    def observe(self, snapshot) -> str:
        process = snapshot.process(getattr(self, "server_pid", 0)) if snapshot.supported else None
        if process is None or not process.threads:
            return ""
        main = next((thread for thread in process.threads if thread.tid == process.pid), process.threads[0])
        lines = [tr("main thread: {sentence}").format(sentence=thread_summary(main))]
        for thread in process.threads:
            if thread.tid != process.pid and thread.direction in ("read", "write") and thread.blocked:
                lines.append(tr("thread {tid}: {sentence}").format(tid=thread.tid, sentence=thread_summary(thread)))
        return "<br>".join(lines)

    def stop(self) -> None:
        if getattr(self, "cancellation", None) is not None:
            self.cancellation.cancel()
        super().stop()


class NaiveMixupLesson(Lesson):
    shows_drawing = False  # the drawing shows the textbook FIFO server, not the lesson's naive one
    name = "naive-mixup"
    title = tr("(d) The naive design's mix-up, seen in the kernel")
    intro = tr("The naive design has ONE reply FIFO for every client. Three client threads wait in read() on that "
               "same FIFO, client 1 last. Then only client 1 asks. The kernel wakes one reader — it does not know "
               "whose reply it is.")
    READERS = 3

    def begin(self) -> None:
        from qtapp.classroom.mixup import NaiveServerProcess

        # A naive server of the lesson's own (the Naive vs textbook tab's would run its own demo too).
        self.server = NaiveServerProcess(self)
        self.server.ready.connect(self._on_ready)
        self.server.failed.connect(lambda message: self.conclude(tr("The naive server did not start: {message}").format(
            message=message)))
        self.server.start()

    def _on_ready(self, _event) -> None:
        if not self.done:
            self._race()

    def _race(self) -> None:
        from backend.classroom.kernel_demos import naive_race
        from backend.transports.cancel import Cancellation

        server = self.server
        self.labels = {server.pid: tr("naive server {pid}").format(pid=server.pid)}
        self.monitor.extra_pids["lesson"] = [server.pid]
        self.cancellation = Cancellation()
        gui_pid = self.window.client_pid

        def register(index: int, tid: int) -> None:  # called from each reader thread as it starts
            client_threads.register(f"lesson-naive-{index}", tid)
            self.labels[(gui_pid, tid)] = tr("naive client {number}").format(number=index + 1)

        address = server.address
        call = self.background(lambda: naive_race(address, self.READERS, 4.0, register, self.cancellation),
                               "lesson-naive", cancel=self.cancellation.cancel)
        call.done.connect(self._on_result)
        call.failed.connect(lambda message: self.conclude(tr("The lesson failed: {message}").format(message=message)))

    def _on_result(self, result: dict) -> None:
        for index in range(self.READERS):
            client_threads.unregister(f"lesson-naive-{index}")
        winner = result.get("got_it")
        if winner is None:
            self.conclude(tr("No reader got the reply this time (the server dropped it)."))
        elif winner == 0:
            self.conclude(tr("This time the kernel woke client 1 itself: lucky. Run it again — nothing makes it so; "
                             "with one FIFO per client (the textbook design) it is guaranteed."))
        else:
            longest = tr(", the reader that had waited longest") if result.get("waiting_order", [None])[0] == winner else ""
            self.conclude(tr("<b>Mix-up:</b> client 1 asked, but the kernel woke client {number}{longest}: it read "
                             "client 1's numbers, and client 1 got nothing. With one FIFO per client this cannot "
                             "happen.").format(number=winner + 1, longest=longest))

    def observe(self, snapshot) -> str:
        if not snapshot.supported:
            return ""
        gui = snapshot.process(self.window.client_pid)
        tids = {client_threads.native_id(f"lesson-naive-{index}"): index for index in range(self.READERS)}
        waiting = [thread for thread in (gui.threads if gui else []) if thread.tid in tids
                   and thread.wait_kind == "pipe-read" and thread.subject == "naive-reply.fifo"]
        if not waiting:
            return ""
        inode = next((d.inode for d in gui.descriptors if d.kind == "fifo" and d.name == "naive-reply.fifo"), None)
        if len(waiting) == 1:
            return tr("1 client thread is still blocked in read() on naive-reply.fifo (inode {inode}).").format(
                inode=inode if inode is not None else "?")
        return tr("{count} client threads are blocked in read() on naive-reply.fifo — one FIFO (inode {inode}), "
                  "several readers: the next reply goes to whichever one the kernel wakes.").format(
            count=len(waiting), inode=inode if inode is not None else "?")

    def stop(self) -> None:
        if getattr(self, "cancellation", None) is not None:
            self.cancellation.cancel()
        super().stop()
        for index in range(self.READERS):
            client_threads.unregister(f"lesson-naive-{index}")
        if getattr(self, "server", None) is not None:
            self.server.shutdown()


@dataclass(frozen=True)
class LessonEntry:
    name: str
    title: str
    make: type


LESSONS = [LessonEntry(lesson.name, lesson.title, lesson)
           for lesson in (FifoOpenLesson, BackPressureLesson, TcpAcceptLesson, NaiveMixupLesson)]


def lesson_by_name(name: str) -> LessonEntry:
    return next(entry for entry in LESSONS if entry.name == name)


def tour_steps(window, step_class) -> list:
    """The lessons as guided-tour steps: each starts its lesson on the Kernel tab."""
    def starter(name: str):
        return lambda: window.kernel_page.run_lesson(name)

    texts = {
        "fifo-open": tr("The Kernel tab shows what the kernel says each process is doing. Here cat is stuck "
                        "inside open() on a FIFO until a writer opens the other end."),
        "back-pressure": tr("A client that never reads: the server's write blocks, the buffer between them fills "
                            "up (the bar on the drawing), then the server gives up after its write timeout."),
        "tcp-accept": tr("An idle TCP server sleeps in the kernel waiting for a connection; a client connects and "
                         "a new thread waits for its request."),
        "naive-mixup": tr("The naive design: three readers on ONE reply FIFO. The kernel hands a reply to "
                          "whichever reader it wakes."),
    }
    return [step_class(entry.title, texts[entry.name], starter(entry.name)) for entry in LESSONS]
