"""The processes behind the kernel-view lessons, checked against what the kernel says (no mocks):
what each lesson tells the class must be what /proc shows."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from backend.classroom import kernel_demos
from backend.kernel_view.sampler import KernelSampler
from backend.processes.server_child import ServerProcess
from backend.transports.cancel import Cancellation
from tests.test_kernel_view import WRITE_CALLS, fill_of, wait_for_thread

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux-only")


def test_lesson_fifo_open_blocks_until_the_writer_opens():
    demo = kernel_demos.FifoOpenDemo()
    try:
        reader = demo.start_reader()
        _, thread = wait_for_thread(reader, lambda thread: thread.wait_channel == "wait_for_partner")
        assert thread.summary.startswith("blocked in openat() on request.fifo — a FIFO's open waits")
        writer = demo.start_writer(hold_seconds=2.0)
        # Both proceed: the reader now reads the FIFO (or has finished), the writer is past its open.
        wait_for_thread(reader, lambda thread: thread.call in ("read", None) and thread.wait_channel != "wait_for_partner")
        assert demo.reader.wait(timeout=10) == 0 and demo.writer.wait(timeout=10) == 0
        assert writer in demo.pids and demo.finished()
    finally:
        demo.close()
    assert not os.path.exists(demo.directory)


def test_lesson_back_pressure_server_blocks_then_times_out(server_engine):
    with ServerProcess("tcp", extra_arguments=["--write-timeout", "2", "--engine", server_engine]) as server:
        cancellation = Cancellation()
        result = {}
        client = threading.Thread(target=lambda: result.setdefault("unread", kernel_demos.client_that_never_reads(
            "tcp", server.address, 50_000_000, 4.0, cancellation)))
        client.start()
        try:
            _, blocked = wait_for_thread(server.pid, lambda thread, process: thread.call in WRITE_CALLS
                                         and thread.wait_kind == "socket-write" and fill_of(process, thread.fd, "send").get("full"))
            # The documented write timeout: the server stops writing to this client.
            wait_for_thread(server.pid, lambda thread, process: not any(
                t.tid == blocked.tid and t.call in WRITE_CALLS for t in process.threads))
        finally:
            client.join(timeout=15)
            cancellation.close()
        assert result["unread"] > 0


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_a_client_that_never_reads_is_dropped_after_the_write_timeout_not_a_multiple(transport):
    """SO_SNDTIMEO bounds one call; a call that waits and then writes a little used to restart the
    clock, so the documented 2 s became 4 s (Unix) or 6 s (TCP)."""
    events = []
    with ServerProcess(transport, extra_arguments=["--write-timeout", "2"], on_event=events.append) as server:
        cancellation = Cancellation()
        client = threading.Thread(target=kernel_demos.client_that_never_reads,
                                  args=(transport, server.address, 50_000_000, 8.0, cancellation))
        client.start()
        try:
            done = threading.Event()
            for _ in range(300):
                if any(event.get("event") == "client_gone" for event in events) or done.wait(0.05):
                    break
        finally:
            cancellation.cancel()
            client.join(timeout=15)
            cancellation.close()
    asked = next(event["time"] for event in events if event.get("event") == "request")
    gone = next(event for event in events if event.get("event") == "client_gone")
    assert "accepted no data for 2 s" in gone["reason"]
    assert gone["time"] - asked < 3.5


def test_lesson_naive_race_readers_share_one_fifo_and_one_gets_the_reply(tmp_path):
    with ServerProcess("naive-fifo", str(tmp_path / "naive")) as server:
        threads: dict[int, int] = {}
        result = {}
        cancellation = Cancellation()
        race = threading.Thread(target=lambda: result.update(kernel_demos.naive_race(
            server.address, 3, 1.5, on_thread=threads.__setitem__, cancellation=cancellation)))
        race.start()
        try:
            sampler = KernelSampler([os.getpid()])
            pause = threading.Event()
            for _ in range(200):
                view = sampler.sample().process(os.getpid())
                readers = [t for t in view.threads if t.tid in threads.values() and t.call == "read"
                           and t.subject == "naive-reply.fifo" and t.wait_kind == "pipe-read"]
                if len(readers) == 3:
                    break
                pause.wait(0.02)
            assert len(readers) == 3, [t.summary for t in view.threads if t.tid in threads.values()]
            inodes = {d.inode for d in view.descriptors if d.kind == "fifo" and d.name == "naive-reply.fifo"}
            assert len(inodes) == 1  # one pipe in the kernel, three readers waiting on it
            sampler.close()
        finally:
            race.join(timeout=20)
            cancellation.close()
        assert result["got_it"] in (0, 1, 2) and result["request_id"] == 1
        assert result["waiting_order"] == [1, 2, 0]  # the asker waited last
