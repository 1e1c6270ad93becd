#!/usr/bin/env python3
"""Compile IPC Lab's translations: resources/translations/*.ts -> .qm (Qt's lrelease).

Run at build time (packaging/build.sh, before PyInstaller or building a wheel) and by the tests:

    python packaging/compile_translations.py [--output-dir DIR]

lrelease is taken, in order, from PySide6's own tools (`pyside6-lrelease` next to this Python, or
the `lrelease` bundled inside the PySide6 package), then from PATH. Exit code 0 on success, 1 if
a catalogue fails to compile, 2 if no lrelease is found.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATIONS = os.path.join(ROOT, "resources", "translations")


def find_lrelease() -> list[str] | None:
    """The command that runs lrelease, or None."""
    beside_python = os.path.join(os.path.dirname(sys.executable), "pyside6-lrelease")
    if os.access(beside_python, os.X_OK):
        return [beside_python]
    try:
        import PySide6

        package = os.path.dirname(PySide6.__file__)
        for candidate in (os.path.join(package, "lrelease"), os.path.join(package, "Qt", "libexec", "lrelease")):
            if os.access(candidate, os.X_OK):
                return [candidate]
    except ImportError:
        pass
    for name in ("pyside6-lrelease", "lrelease", "lrelease-qt6"):
        found = shutil.which(name)
        if found:
            return [found]
    return None


def compile_all(output_dir: str = TRANSLATIONS, quiet: bool = False) -> list[str]:
    """Compile every .ts catalogue; return the .qm paths written. Raises RuntimeError on failure."""
    lrelease = find_lrelease()
    if lrelease is None:
        raise FileNotFoundError("lrelease not found (install PySide6, or Qt's linguist tools)")
    os.makedirs(output_dir, exist_ok=True)
    written = []
    for source in sorted(glob.glob(os.path.join(TRANSLATIONS, "*.ts"))):
        target = os.path.join(output_dir, os.path.splitext(os.path.basename(source))[0] + ".qm")
        result = subprocess.run([*lrelease, "-silent", "-removeidentical", source, "-qm", target],
                                capture_output=True, text=True)
        if result.returncode != 0 or not os.path.exists(target):
            raise RuntimeError(f"lrelease failed on {source}: {result.stderr.strip() or result.stdout.strip()}")
        written.append(target)
        if not quiet:
            print(f"compiled {os.path.relpath(source, ROOT)} -> {os.path.relpath(target, ROOT)}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", default=TRANSLATIONS, help="where to write the .qm files")
    parser.add_argument("--quiet", action="store_true")
    options = parser.parse_args(argv)
    try:
        compile_all(options.output_dir, options.quiet)
    except FileNotFoundError as error:
        print(f"compile_translations: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(f"compile_translations: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
