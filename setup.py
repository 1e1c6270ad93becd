"""Build step of IPC Lab's compiled data plane (everything else is in pyproject.toml).

`pip install` compiles backend/native/src/*.c with the system C compiler (`$CC`, else `cc`) into
backend/native/lib/libipclab_native.so (a folder, not a package), a plain shared library that backend/native/loader.py loads
with ctypes: no Python headers are needed. If there is no compiler or the build fails, a warning
is printed and the package installs without it: the pure-Python engine then runs everything.
`IPCLAB_NATIVE_CFLAGS` adds compiler flags (the CI's sanitizer build uses it).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
SOURCES = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "backend" / "native" / "src").glob("*.c"))
LIBRARY = "backend.native.lib.libipclab_native"
WARNINGS = ["-O2", "-Wall", "-Wextra", "-Werror", "-std=c11", "-fPIC", "-shared"]


class BuildNativeLibrary(build_ext):
    """Compile the data plane as a plain shared library; never fail the installation for it."""

    built = False

    def copy_extensions_to_source(self) -> None:
        """Editable installs: put the library into the source tree (when it was built)."""
        if self.built:
            (ROOT / "backend" / "native" / "lib").mkdir(exist_ok=True)
            super().copy_extensions_to_source()

    def get_ext_filename(self, fullname: str) -> str:
        return os.path.join(*fullname.split(".")) + ".so"

    def build_extension(self, extension: Extension) -> None:
        output = Path(self.get_ext_fullpath(extension.name))
        output.parent.mkdir(parents=True, exist_ok=True)
        compiler = shlex.split(os.environ.get("CC") or "cc")
        extra = shlex.split(os.environ.get("IPCLAB_NATIVE_CFLAGS", ""))
        command = [*compiler, *WARNINGS, *extra, "-o", str(output),
                   *[str(ROOT / source) for source in extension.sources]]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=300)
            failure = None if done.returncode == 0 else (done.stderr or done.stdout).strip()[-2000:]
        except (OSError, subprocess.TimeoutExpired) as error:
            failure = str(error)
        if failure is not None:
            output.unlink(missing_ok=True)
            message = (f"WARNING: the native engine was not built ({' '.join(compiler)}: {failure or 'failed'}); "
                       "IPC Lab installs with its pure-Python engine only.")
            print(message, file=sys.stderr)
            self.warn(message)
            return
        self.built = True


setup(
    ext_modules=[Extension(LIBRARY, sources=SOURCES)],
    cmdclass={"build_ext": BuildNativeLibrary},
)
