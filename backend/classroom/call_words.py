"""Flags as C constants and why they are there, in words, for the step sentences.

The sentences are built from the very numbers the process passed to the kernel (the `flags`
variable given to `os.open`), so what a student reads is what strace shows. Python adds
O_CLOEXEC to every file it opens and SOCK_CLOEXEC to every socket (PEP 446); our code passes them
explicitly so that the flags variable says everything.
"""

from __future__ import annotations

import os

from backend.sentence_words import Words, joined

ACCESS_MODES = {os.O_RDONLY: "O_RDONLY", os.O_WRONLY: "O_WRONLY", os.O_RDWR: "O_RDWR"}
OPEN_FLAG_BITS = [(getattr(os, name), name) for name in
                  ("O_CREAT", "O_EXCL", "O_NONBLOCK", "O_NOFOLLOW", "O_CLOEXEC", "O_DIRECTORY")
                  if hasattr(os, name)]

WHY = {
    "O_RDONLY": "open for reading only",
    "O_WRONLY": "open for writing only",
    "O_RDWR": "open for reading and writing",
    "O_NONBLOCK": "never wait: the call returns at once (EAGAIN, ENXIO) instead of blocking",
    "O_NOFOLLOW": "refuse a symbolic link planted under that name",
    "O_CLOEXEC": "closed by itself if this process runs another program (Python adds it to every file)",
    "SOCK_CLOEXEC": "closed by itself if this process runs another program (Python adds it to every socket)",
}

# What a call is, for the calls a C programmer knows under another name.
CALL_NOTES = {
    "readv": "readv() (read() into a list of buffers, here one)",
    "writev": "writev() (write() from a list of buffers: frame headers and numbers in one call)",
    "sendto": "sendto() (what C's send() calls)",
    "recvfrom": "recvfrom() (what C's recv() calls)",
    "sendmsg": "sendmsg() (send() from a list of buffers: frame headers and numbers in one call)",
}


def call_words(syscall: str) -> Words:
    """ "recvfrom() (what C's recv() calls)"; "write()" for a call known by its own name."""
    if syscall in CALL_NOTES:
        return Words(CALL_NOTES[syscall])
    return Words("{call}()", {"call": syscall})


def open_flag_names(flags: int) -> list[str]:
    """The C constants that make up an open() flags value, access mode first."""
    names = [ACCESS_MODES.get(flags & os.O_ACCMODE, f"access mode {flags & os.O_ACCMODE}")]
    known = os.O_ACCMODE
    for bit, name in OPEN_FLAG_BITS:
        known |= bit
        if flags & bit:
            names.append(name)
    if flags & ~known:
        names.append(hex(flags & ~known))
    return names


def open_flags_text(flags: int) -> str:
    """The flags as C writes them: "O_WRONLY|O_NONBLOCK|O_CLOEXEC"."""
    return "|".join(open_flag_names(flags))


def flag_reasons(names: list[str], reasons: dict[str, str] | None = None) -> Words | str:
    """ "O_RDWR: open for reading and writing; O_NONBLOCK: ..." with `reasons` overriding the
    general words where this very call has a reason of its own (as translatable `Words`)."""
    words = dict(WHY)
    words.update(reasons or {})
    parts = [Words("{flag}: {why}", {"flag": name, "why": Words(words[name])}) if name in words else name
             for name in names]
    found = joined(parts, ";")  # type: ignore[arg-type]
    return found if isinstance(found, (Words, str)) else str(found)


def explain_flags(names: list[str], reasons: dict[str, str] | None = None) -> str:
    """`flag_reasons` in English."""
    found = flag_reasons(names, reasons)
    return found.render() if isinstance(found, Words) else found
