"""System-call numbers to names, for the machine we run on (x86-64 or aarch64).

The tables are data (syscalls_<machine>.json), generated from the kernel headers by
generate_syscall_tables.py; the one for `platform.machine()` is loaded once.
"""

from __future__ import annotations

import functools
import json
import pathlib
import platform

HERE = pathlib.Path(__file__).resolve().parent
# platform.machine() spellings of the two architectures we carry a table for.
MACHINE_ALIASES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


@functools.lru_cache(maxsize=4)
def syscall_table(machine: str | None = None) -> dict[int, str]:
    """Number -> name for `machine` (default: this one); empty for an architecture we have no table for."""
    known = MACHINE_ALIASES.get((machine or platform.machine()).lower())
    if known is None:
        return {}
    data = json.loads((HERE / f"syscalls_{known}.json").read_text(encoding="utf-8"))
    return {int(number): name for number, name in data.items()}


def syscall_name(number: int, machine: str | None = None) -> str | None:
    """The call's name, or None when the number is not in this machine's table."""
    return syscall_table(machine).get(number)


def syscall_number(name: str, machine: str | None = None) -> int | None:
    """The reverse look-up (for tests and for arguments that name a call)."""
    for number, known in syscall_table(machine).items():
        if known == name:
            return number
    return None
