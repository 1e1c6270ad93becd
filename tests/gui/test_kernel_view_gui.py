"""The kernel's view in the GUI, against real blocked processes: the badges on the drawings, the
buffer bars, the kernel timeline and the lessons' explanations say what /proc says (checked with
a sampler of the test's own, independent of the GUI's)."""

from __future__ import annotations

import sys

import pytest

from backend.kernel_view.sampler import KernelSampler
from qtapp.classroom.kernel_lessons import FifoOpenLesson, NaiveMixupLesson, TcpAcceptLesson
from qtapp.measuring import client_threads

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel view is Linux-only")
WRITES = ("write", "writev", "sendto", "sendmsg")


def kernel_says(pid: int):
    """What /proc says about `pid` now, read by the test itself."""
    sampler = KernelSampler([pid])
    try:
        return sampler.sample().process(pid)
    finally:
        sampler.close()


def test_fifo_open_lesson_shows_the_blocked_open_then_both_proceed(qtbot, window, monkeypatch):
    monkeypatch.setattr(FifoOpenLesson, "WRITER_AFTER_MS", 1500)
    lesson = window.kernel_page.run_lesson("fifo-open")
    reader = lesson.demo.reader.pid
    expected = "blocked in openat() on request.fifo — a FIFO's open waits until the other end is opened"
    qtbot.waitUntil(lambda: expected in window.kernel_page.explanation.text(), timeout=10000)
    assert any(thread.summary == expected for thread in kernel_says(reader).threads)
    qtbot.waitUntil(lambda: any(stretch.call == "openat" and stretch.kind == "blocked"
                                for stretch in window.kernel_page.timeline.stretches_of("reader: cat")), timeout=5000)
    assert window.tabs.currentWidget() is window.kernel_page
    with qtbot.waitSignal(lesson.finished, timeout=20000):
        pass
    assert "Both proceeded" in window.kernel_page.explanation.text()
    assert lesson.demo.reader.returncode == 0 and lesson.demo.writer.returncode == 0
    window.kernel_page.stop_lesson()


def test_back_pressure_badges_show_the_server_blocked_writing_with_its_buffer_full(qtbot, window):
    lesson = window.kernel_page.run_lesson("back-pressure")
    badges = window.kernel_badges
    qtbot.waitUntil(lambda: badges.badges.get("server:tcp") is not None
                    and badges.badges["server:tcp"].call in WRITES and badges.badges["server:tcp"].kind == "blocked",
                    timeout=20000)
    server = window.servers["tcp"]
    assert any(thread.call in WRITES and thread.wait_kind == "socket-write" for thread in kernel_says(server.pid).threads)
    qtbot.waitUntil(lambda: any(key.startswith("fill:tcp:") and "— full" in badge.short
                                for key, badge in badges.badges.items()), timeout=10000)
    assert "send buffer" in next(badge.short for key, badge in badges.badges.items() if key.startswith("fill:tcp:"))
    # The caption under the drawing gives the reason in plain words, readable in presentation mode.
    assert "a write into a socket waits for room" in badges.caption.text()
    qtbot.waitUntil(lambda: any(stretch.call in WRITES and stretch.kind == "blocked"
                                for stretch in window.kernel_page.timeline.stretches_of("server")), timeout=5000)
    assert "its buffer:" in window.kernel_page.explanation.text()
    # The client thread that never reads carries its own badge (its thread id is the real one).
    tid = client_threads.native_id("lesson-backpressure")
    assert tid is not None and badges.badges["client:lesson-backpressure"].short != "not visible"
    # Then the server's write timeout expires while the client still holds the connection unread.
    qtbot.waitUntil(lambda: "gave up" in window.kernel_page.explanation.text(), timeout=45000)
    assert lesson.calls[0].running  # the client had not let go: the server gave up by itself
    assert not any(thread.call in WRITES for thread in kernel_says(server.pid).threads)
    window.kernel_page.stop_lesson()
    qtbot.waitUntil(lambda: client_threads.native_id("lesson-backpressure") is None, timeout=5000)
    assert "lesson-backpressure" not in window.extra_clients and lesson.calls


def test_idle_tcp_server_waits_then_a_connection_arrives(qtbot, window, monkeypatch):
    monkeypatch.setattr(TcpAcceptLesson, "CONNECT_AFTER_MS", 1500)
    lesson = window.kernel_page.run_lesson("tcp-accept")
    qtbot.waitUntil(lambda: window.kernel_badges.badges.get("server:tcp") is not None
                    and window.kernel_badges.badges["server:tcp"].kind == "waiting", timeout=20000)
    main = next(thread for thread in kernel_says(window.servers["tcp"].pid).threads
                if thread.tid == window.servers["tcp"].pid)
    assert main.call in ("poll", "ppoll", "accept", "accept4", "epoll_wait") and "listening TCP socket" in main.subject
    qtbot.waitUntil(lambda: "recvfrom()" in window.kernel_page.explanation.text()
                    or "recvmsg()" in window.kernel_page.explanation.text(), timeout=15000)
    with qtbot.waitSignal(lesson.finished, timeout=20000):
        pass
    assert "A connection arrived" in window.kernel_page.explanation.text()
    window.kernel_page.stop_lesson()


def test_naive_mixup_lesson_shows_three_readers_on_one_fifo(qtbot, window, monkeypatch):
    lesson = window.kernel_page.run_lesson("naive-mixup")
    qtbot.waitUntil(lambda: "3 client threads are blocked in read() on naive-reply.fifo"
                    in window.kernel_page.explanation.text(), timeout=20000)
    gui = kernel_says(window.client_pid)
    readers = [thread for thread in gui.threads if thread.subject == "naive-reply.fifo" and thread.call == "read"]
    assert len(readers) == 3
    timeline = window.kernel_page.timeline
    lanes = [label for label in timeline.labels.values() if label.startswith("naive client")]
    assert len(lanes) == 3
    # The lesson's own naive server is watched too (the monitor's extra pids): it has its lane, and
    # each client's lane shows the blocked read() on the one reply FIFO.
    server_pid = lesson.server.pid
    assert server_pid in window.kernel_monitor.extra_pids["lesson"]
    qtbot.waitUntil(lambda: f"naive server {server_pid}" in timeline.labels.values(), timeout=10000)
    for lane in lanes:
        assert any(stretch.kind == "blocked" and stretch.call == "read" for stretch in timeline.stretches_of(lane)), lane
    with qtbot.waitSignal(lesson.finished, timeout=30000):
        pass
    text = window.kernel_page.explanation.text()
    assert "Mix-up" in text or "lucky" in text
    window.kernel_page.stop_lesson()
    assert NaiveMixupLesson.READERS == 3
