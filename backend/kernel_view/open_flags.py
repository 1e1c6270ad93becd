"""Open flags (as fdinfo shows them, or as open()/openat() received them) by name.

The values come from this platform's own `os` constants (they differ between x86-64 and aarch64).
"""

from __future__ import annotations

import os

ACCESS_MODES = {0: "O_RDONLY", 1: "O_WRONLY", 2: "O_RDWR"}
# Flags worth showing a class, most telling first; O_LARGEFILE is set by the kernel on every 64-bit
# descriptor and would only add noise.
_FLAG_NAMES = ("O_NONBLOCK", "O_CREAT", "O_EXCL", "O_TRUNC", "O_APPEND", "O_NOFOLLOW", "O_DIRECTORY",
               "O_CLOEXEC", "O_SYNC", "O_DSYNC", "O_ASYNC", "O_DIRECT", "O_NOATIME", "O_PATH", "O_TMPFILE",
               "O_NOCTTY")
FLAG_VALUES = [(name, getattr(os, name)) for name in _FLAG_NAMES if getattr(os, name, 0)]


def decode_open_flags(flags: int) -> list[str]:
    """['O_WRONLY', 'O_NONBLOCK', ...] for a flags word (the access mode first)."""
    names = [ACCESS_MODES.get(flags & 3, f"access mode {flags & 3}")]
    remaining = flags & ~3
    for name, value in FLAG_VALUES:
        if value and remaining & value == value:
            names.append(name)
            remaining &= ~value
    return names


def access_mode(flags: int) -> str:
    return ACCESS_MODES.get(flags & 3, "?")
