"""The kernel view's parts: the system-call tables against the kernel headers, wait channels in
plain words, hidden fields, and the Linux-only message elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from backend.kernel_view import generate_syscall_tables, plain_words, sampler
from backend.kernel_view.open_flags import decode_open_flags
from backend.kernel_view.syscall_tables import syscall_name, syscall_table
from backend.kernel_view.thread_state import HIDDEN, parse_syscall
from backend.kernel_view.wait_channels import explain_wait_channel, in_context

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux-only")


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs the C preprocessor and kernel headers")
def test_the_x86_64_table_is_what_the_installed_kernel_headers_say():
    try:
        from_headers = generate_syscall_tables.resolve(generate_syscall_tables.macros(generate_syscall_tables.X86_64_HEADER))
    except subprocess.CalledProcessError:
        pytest.skip("no x86-64 kernel headers here")
    table = syscall_table("x86_64")
    assert len(from_headers) > 300
    assert {number: table[number] for number in from_headers} == from_headers


def test_both_tables_name_the_calls_of_the_lesson():
    x86, arm = syscall_table("x86_64"), syscall_table("aarch64")
    assert (x86[0], x86[1], x86[7], x86[43], x86[202], x86[232], x86[257], x86[288]) == (
        "read", "write", "poll", "accept", "futex", "epoll_wait", "openat", "accept4")
    assert (arm[56], arm[63], arm[64], arm[73], arm[98], arm[202], arm[22]) == (
        "openat", "read", "write", "ppoll", "futex", "accept", "epoll_pwait")
    assert 7 not in arm or arm[7] != "poll"  # aarch64 has no poll(): its table is not x86's
    assert syscall_name(257, "amd64") == "openat" and syscall_name(56, "arm64") == "openat"
    assert syscall_table("sparc64") == {} and syscall_name(1, "sparc64") is None


def test_every_wait_channel_of_the_issue_has_a_sentence():
    for name in ("wait_for_partner", "pipe_read", "pipe_write", "anon_pipe_read", "anon_pipe_write",
                 "unix_stream_read_generic", "inet_csk_accept", "sk_wait_data", "do_sys_poll", "do_select",
                 "ep_poll", "futex_wait_queue", "futex_do_wait"):
        wait = explain_wait_channel(name + "\n")
        assert wait.visible and wait.name == name and len(wait.sentence) > 20, name
    assert explain_wait_channel("do_select.constprop.0").name == "do_select"
    assert explain_wait_channel("wait_for_partner").sentence == "a FIFO's open waits until the other end is opened"


def test_a_hidden_or_blank_wait_channel_says_not_visible_and_keeps_the_call_number():
    for raw in (None, "0", ""):
        wait = explain_wait_channel(raw)
        assert not wait.visible and wait.sentence == "not visible"
    blank = explain_wait_channel("0")
    assert plain_words.summarize("S", 999, None, "", blank) == "blocked in system call 999 (wait channel not visible)"
    assert plain_words.summarize("S", 1, "write", "a pipe", blank) == "blocked in write() on a pipe (wait channel not visible)"
    assert plain_words.summarize("S", HIDDEN, None, "", blank).endswith("not visible")


def test_a_generic_wait_is_explained_by_the_call_it_serves():
    woken = explain_wait_channel("wait_woken")
    assert in_context(woken, "write", "socket").kind == "socket-write"
    assert in_context(woken, "read", "socket").kind == "socket-read"
    assert in_context(explain_wait_channel("inet_csk_accept"), "read", "socket").kind == "accept"


def test_syscall_lines_are_parsed_as_the_kernel_writes_them():
    assert parse_syscall("running\n")[0] == -2
    assert parse_syscall("-1 0x7ffd 0x7f00\n")[0] == -1
    number, arguments = parse_syscall("257 0xffffff9c 0x7ffc5beffaef 0x0 0x0 0x0 0x0 0x7ffc 0x7f1e\n")
    assert number == 257 and arguments[0] == 0xFFFFFF9C and len(arguments) == 6


def test_open_flags_by_name():
    assert decode_open_flags(os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC) == ["O_WRONLY", "O_NONBLOCK", "O_CLOEXEC"]
    assert decode_open_flags(os.O_RDWR) == ["O_RDWR"]


@linux_only
def test_another_users_process_is_not_visible_but_its_state_is(tmp_path):
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root to run the sampler as another user")
    sleeper = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        code = ("import sys, json; sys.path.insert(0, sys.argv[1])\n"
                "from backend.kernel_view.sampler import sample_once\n"
                "p = sample_once([int(sys.argv[2])]).processes[0]\n"
                "print(json.dumps([p.note, p.threads[0].state, p.threads[0].summary]))")
        result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                                 code, os.getcwd(), str(sleeper.pid)], capture_output=True, text=True, timeout=60,
                                cwd="/")
        if result.returncode != 0:
            pytest.skip(f"cannot run as nobody here: {result.stderr[-200:]}")
        note, state, summary = __import__("json").loads(result.stdout)
        assert "not visible" in note and state == "S" and summary.endswith("not visible")
    finally:
        sleeper.stdin.close()
        sleeper.wait(timeout=10)


def test_elsewhere_the_view_says_it_is_linux_only(monkeypatch):
    monkeypatch.setattr(sampler.sys, "platform", "darwin")
    snapshot = sampler.KernelSampler([os.getpid()]).sample()
    assert not snapshot.supported and snapshot.processes == []
    assert "only Linux" in snapshot.note and "everything else in IPC Lab works" in snapshot.note
