"""One sentence per thread for a class: "blocked in openat() on request.fifo — a FIFO's open waits
until the other end is opened". Shared by `ipclab kernel` and the GUI's badges.
"""

from __future__ import annotations

from backend.kernel_view.thread_state import HIDDEN, IN_USER_SPACE, RUNNING, STATE_NAMES
from backend.kernel_view.wait_channels import WaitChannel

LINUX_ONLY = ("The kernel view reads /proc, which only Linux has: on this system it shows nothing, "
              "and everything else in IPC Lab works.")


def call_text(name: str | None, number: int) -> str:
    """"openat()", or "system call 999" when this machine's table does not know the number."""
    return f"{name}()" if name else f"system call {number}"


def summarize(state: str, number: int, call: str | None, subject: str, wait: WaitChannel) -> str:
    """The thread's situation in plain words."""
    if state == "R":
        return "running"
    if state in ("Z", "X"):
        return "exited (a zombie until its parent collects it)"
    if state in ("T", "t"):
        return STATE_NAMES[state]
    if number == HIDDEN:
        where = f"waits in {wait.name} — {wait.sentence}" if wait.visible and wait.sentence else (
            f"waits in {wait.name}" if wait.visible else "its system call and wait channel are not visible")
        return f"{STATE_NAMES.get(state, state)}; {where}"
    if number == IN_USER_SPACE:
        return f"{STATE_NAMES.get(state, state)}, not inside a system call"
    if number == RUNNING:
        return "running"
    text = f"blocked in {call_text(call, number)}"
    if subject:
        text += f" on {subject}"
    if wait.visible and wait.sentence:
        return f"{text} — {wait.sentence}"
    if wait.visible:
        return f"{text} (waits in {wait.name})"
    return f"{text} (wait channel not visible)"
