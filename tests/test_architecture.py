"""Architecture rules that a test can enforce."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import backend


def test_backend_imports_no_qt():
    modules = ["backend"] + [f"backend.{info.name}" for info in pkgutil.walk_packages(backend.__path__)]
    modules += ["backend.transports." + name for name in ("fifo", "tcp", "unix", "sockets", "base")]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'shiboken6', 'pyqtgraph', 'qtapp'))\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"backend pulled in: {result.stdout}"
    assert len(modules) > 10


def test_serve_path_does_not_import_the_gui():
    code = (
        "import sys\n"
        "from backend import cli\n"
        "parser = cli.build_parser()\n"
        "import backend.servers, backend.events\n"
        "print('PySide6' in sys.modules, 'qtapp' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "False"], result.stderr
