"""Regenerate the system-call name tables (syscalls_x86_64.json, syscalls_aarch64.json) from the
kernel's own headers: `python -m backend.kernel_view.generate_syscall_tables`.

x86-64 numbers come from <asm/unistd_64.h>; aarch64 uses the generic table <asm-generic/unistd.h>
with the options arm64 selects. Both are read through the C preprocessor, so the tables are what
the kernel headers say, not typed by hand. Calls newer than the installed headers share one number
on every architecture since Linux 5.1 (NEWER_COMMON_CALLS), so they are added to both.
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
X86_64_HEADER = "asm/unistd_64.h"
GENERIC_HEADER = "asm-generic/unistd.h"
# What arch/arm64/include/uapi/asm/unistd.h defines before including the generic table.
ARM64_OPTIONS = ("__ARCH_WANT_RENAMEAT", "__ARCH_WANT_NEW_STAT", "__ARCH_WANT_SET_GET_RLIMIT",
                 "__ARCH_WANT_TIME32_SYSCALLS", "__ARCH_WANT_SYS_CLONE3", "__ARCH_WANT_MEMFD_SECRET")
# Unified numbers (the same on x86-64 and aarch64) of calls added after Linux 6.1's headers.
NEWER_COMMON_CALLS = {
    452: "fchmodat2", 453: "map_shadow_stack", 454: "futex_wake", 455: "futex_wait", 456: "futex_requeue",
    457: "statmount", 458: "listmount", 459: "lsm_get_self_attr", 460: "lsm_set_self_attr",
    461: "lsm_list_modules", 462: "mseal", 463: "setxattrat", 464: "getxattrat", 465: "listxattrat",
    466: "removexattrat", 467: "open_tree_attr",
}
_DEFINE = re.compile(r"#define (__NR(?:3264)?_\w+) (\S+)$")


def macros(header: str, options: tuple[str, ...] = ()) -> dict[str, str]:
    """Every `#define __NR_...` the preprocessor sees after including `header`."""
    source = "".join(f"#define {option}\n" for option in options) + f"#include <{header}>\n"
    output = subprocess.run(["cc", "-E", "-dM", "-x", "c", "-"], input=source, capture_output=True,
                            text=True, check=True).stdout
    return {match[1]: match[2] for line in output.splitlines() if (match := _DEFINE.match(line))}


def resolve(defines: dict[str, str]) -> dict[int, str]:
    """Number -> call name, following aliases such as `__NR_fcntl __NR3264_fcntl`."""
    table = {}
    for name, value in defines.items():
        if not name.startswith("__NR_") or name == "__NR_syscalls":
            continue
        seen = 0
        while not value.isdigit() and value in defines and seen < 5:
            value, seen = defines[value], seen + 1
        if value.isdigit():
            table[int(value)] = name[len("__NR_"):]
    return table


def write_table(machine: str, table: dict[int, str]) -> pathlib.Path:
    for number, name in NEWER_COMMON_CALLS.items():
        table.setdefault(number, name)
    path = HERE / f"syscalls_{machine}.json"
    path.write_text(json.dumps({str(number): table[number] for number in sorted(table)}, indent=0) + "\n",
                    encoding="utf-8")
    return path


def main() -> int:
    print(write_table("x86_64", resolve(macros(X86_64_HEADER))))
    print(write_table("aarch64", resolve(macros(GENERIC_HEADER, ARM64_OPTIONS))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
