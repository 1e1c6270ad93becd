"""One sentence per thread for a class: "blocked in openat() on request.fifo — a FIFO's open waits
until the other end is opened". Shared by `ipclab kernel` and the GUI's badges.
"""

from __future__ import annotations

from backend.sentence_words import Words
from backend.kernel_view.thread_state import HIDDEN, IN_USER_SPACE, RUNNING, STATE_NAMES
from backend.kernel_view.wait_channels import WaitChannel

LINUX_ONLY = ("The kernel view reads /proc, which only Linux has: on this system it shows nothing, "
              "and everything else in IPC Lab works.")


def call_text(name: str | None, number: int) -> str:
    """"openat()", or "system call 999" when this machine's table does not know the number."""
    return call_words(name, number).render()


def call_words(name: str | None, number: int) -> Words:
    """`call_text` as translatable `Words`."""
    return Words("{call}()", {"call": name}) if name else Words("system call {number}", {"number": number})


def summarize(state: str, number: int, call: str | None, subject: str, wait: WaitChannel) -> str:
    """The thread's situation in plain words."""
    return summarize_words(state, number, call, subject, wait).render()


def summarize_words(state: str, number: int, call: str | None, subject: str, wait: WaitChannel) -> Words:
    """`summarize` as an English template with named fields, for a display that translates it
    (the wait channel's sentence and the state's name are templates of their own)."""
    if state == "R":
        return Words("running")
    if state in ("Z", "X"):
        return Words("exited (a zombie until its parent collects it)")
    state_words: Words | str = Words(STATE_NAMES[state]) if state in STATE_NAMES else state
    if state in ("T", "t"):
        return state_words  # type: ignore[return-value]
    meaning = Words(wait.sentence) if wait.sentence else ""
    if number == HIDDEN:
        if wait.visible and wait.sentence:
            return Words("{state}; waits in {channel} — {meaning}",
                         {"state": state_words, "channel": wait.name, "meaning": meaning})
        if wait.visible:
            return Words("{state}; waits in {channel}", {"state": state_words, "channel": wait.name})
        return Words("{state}; its system call and wait channel are not visible", {"state": state_words})
    if number == IN_USER_SPACE:
        return Words("{state}, not inside a system call", {"state": state_words})
    if number == RUNNING:
        return Words("running")
    blocked = (Words("blocked in {call} on {subject}", {"call": call_words(call, number), "subject": subject})
               if subject else Words("blocked in {call}", {"call": call_words(call, number)}))
    if wait.visible and wait.sentence:
        return Words("{blocked} — {meaning}", {"blocked": blocked, "meaning": meaning})
    if wait.visible:
        return Words("{blocked} (waits in {channel})", {"blocked": blocked, "channel": wait.name})
    return Words("{blocked} (wait channel not visible)", {"blocked": blocked})
