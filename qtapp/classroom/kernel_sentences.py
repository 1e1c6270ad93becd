"""Kernel-view sentences in the chosen language.

The back end says what each thread is doing in English ("blocked in read() on request.fifo — a
read from a pipe waits until someone writes into it") and keeps how it built the sentence
(`ThreadView.summary_words`, `Badge.words`: templates with named fields). Here each template
goes through Qt's catalogue (context "KernelSentences") and the fields (system calls, file names,
kernel functions, numbers) are filled in as they are.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from backend.kernel_view.badges import Badge
from backend.kernel_view.sampler import ThreadView
from backend.sentence_words import Words

CONTEXT = "KernelSentences"

TEMPLATES = (
    QT_TRANSLATE_NOOP("KernelSentences", "a FIFO's open waits until the other end is opened"),
    QT_TRANSLATE_NOOP("KernelSentences", 'a read from a pipe waits until someone writes into it (or the last writer closes it)'),
    QT_TRANSLATE_NOOP("KernelSentences", 'a write into a pipe waits until the reader makes room: the pipe is full'),
    QT_TRANSLATE_NOOP("KernelSentences", 'a pipe operation waits: for data to read, or for room to write'),
    QT_TRANSLATE_NOOP("KernelSentences", 'a read from a Unix socket waits until the peer sends data'),
    QT_TRANSLATE_NOOP("KernelSentences", 'a send on a Unix socket waits for room at the receiver'),
    QT_TRANSLATE_NOOP("KernelSentences", 'a write into a socket waits for room: its buffers are full because the peer does not '
                                       'read'),
    QT_TRANSLATE_NOOP("KernelSentences", 'a TCP send waits for room in its send buffer: the peer does not read fast enough'),
    QT_TRANSLATE_NOOP("KernelSentences", 'accept() waits for a client to connect'),
    QT_TRANSLATE_NOOP("KernelSentences", "the socket waits for a packet (on a listening Unix socket: a client's connect)"),
    QT_TRANSLATE_NOOP("KernelSentences", 'a TCP read waits until data arrives from the peer'),
    QT_TRANSLATE_NOOP("KernelSentences", 'waits to be woken by its socket or terminal (data, room, or a connection)'),
    QT_TRANSLATE_NOOP("KernelSentences", 'connect() waits for the server to answer (the TCP handshake)'),
    QT_TRANSLATE_NOOP("KernelSentences", 'poll/select waits until one of its descriptors is ready, or its timeout'),
    QT_TRANSLATE_NOOP("KernelSentences", 'epoll_wait waits until one of its watched descriptors is ready, or its timeout'),
    QT_TRANSLATE_NOOP("KernelSentences", 'a futex wait: the thread waits for another thread of its process (a lock, a condition, a '
                                       'join)'),
    QT_TRANSLATE_NOOP("KernelSentences", 'waits for a child process to exit'),
    QT_TRANSLATE_NOOP("KernelSentences", 'sleeps for a set time'),
    QT_TRANSLATE_NOOP("KernelSentences", 'waits for a signal'),
    QT_TRANSLATE_NOOP("KernelSentences", 'waits for a signal (sigwait)'),
    QT_TRANSLATE_NOOP("KernelSentences", 'waits for a line typed on the terminal'),
    QT_TRANSLATE_NOOP("KernelSentences", 'stopped by a signal (SIGSTOP or Ctrl+Z)'),
    QT_TRANSLATE_NOOP("KernelSentences", 'a read from a socket waits until the peer sends data'),
    QT_TRANSLATE_NOOP("KernelSentences", 'connect() waits for the server to answer'),
    QT_TRANSLATE_NOOP("KernelSentences", 'running'),
    QT_TRANSLATE_NOOP("KernelSentences", 'sleeping'),
    QT_TRANSLATE_NOOP("KernelSentences", 'waiting (uninterruptible)'),
    QT_TRANSLATE_NOOP("KernelSentences", 'stopped'),
    QT_TRANSLATE_NOOP("KernelSentences", 'stopped by a tracer'),
    QT_TRANSLATE_NOOP("KernelSentences", 'zombie'),
    QT_TRANSLATE_NOOP("KernelSentences", 'dead'),
    QT_TRANSLATE_NOOP("KernelSentences", 'idle'),
    QT_TRANSLATE_NOOP("KernelSentences", 'parked'),
    QT_TRANSLATE_NOOP("KernelSentences", 'paging'),
    QT_TRANSLATE_NOOP("KernelSentences", 'wakekill'),
    QT_TRANSLATE_NOOP("KernelSentences", 'exited (a zombie until its parent collects it)'),
    QT_TRANSLATE_NOOP("KernelSentences", '{state}; waits in {channel} — {meaning}'),
    QT_TRANSLATE_NOOP("KernelSentences", '{state}; waits in {channel}'),
    QT_TRANSLATE_NOOP("KernelSentences", '{state}; its system call and wait channel are not visible'),
    QT_TRANSLATE_NOOP("KernelSentences", '{state}, not inside a system call'),
    QT_TRANSLATE_NOOP("KernelSentences", 'blocked in {call} on {subject}'),
    QT_TRANSLATE_NOOP("KernelSentences", 'blocked in {call}'),
    QT_TRANSLATE_NOOP("KernelSentences", '{blocked} — {meaning}'),
    QT_TRANSLATE_NOOP("KernelSentences", '{blocked} (waits in {channel})'),
    QT_TRANSLATE_NOOP("KernelSentences", '{blocked} (wait channel not visible)'),
    QT_TRANSLATE_NOOP("KernelSentences", '{call}()'),
    QT_TRANSLATE_NOOP("KernelSentences", 'system call {number}'),
    QT_TRANSLATE_NOOP("KernelSentences", 'running on a CPU'),
    QT_TRANSLATE_NOOP("KernelSentences", 'the kernel view cannot see this thread'),
    QT_TRANSLATE_NOOP("KernelSentences", 'not visible'),
    QT_TRANSLATE_NOOP("KernelSentences", 'in system call {number}'),
    QT_TRANSLATE_NOOP("KernelSentences", '{transport} server {pid}'),
    QT_TRANSLATE_NOOP("KernelSentences", '(thread {tid})'),
)
_BLOCKED_IN = re.compile(r"^blocked in (\w+\(\))$")
_IN_CALL = re.compile(r"^in system call (\d+)$")


def translate_template(template: str) -> str:
    """One template in the current language (the English one when the catalogue lacks it)."""
    return QCoreApplication.translate(CONTEXT, template)


def shown_words(words: Words | None, english: str) -> str:
    """`words` in the current language; `english` when there are none."""
    return words.render(translate_template) if words is not None else english


def thread_summary(thread: ThreadView) -> str:
    """What the thread is doing, in the current language."""
    return shown_words(thread.summary_words, thread.summary)


def badge_sentence(badge: Badge) -> str:
    """The badge's whole sentence, in the current language."""
    return shown_words(badge.words, badge.sentence)


def badge_short(short: str) -> str:
    """A badge's short text ("blocked in write()", "sleeping", "not visible") in the current language."""
    if (found := _BLOCKED_IN.match(short)) is not None:
        return Words("blocked in {call}", {"call": found.group(1)}).render(translate_template)
    if (found := _IN_CALL.match(short)) is not None:
        return Words("in system call {number}", {"number": found.group(1)}).render(translate_template)
    return translate_template(short)
