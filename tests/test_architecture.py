"""Architecture rules that a test can enforce."""

from __future__ import annotations

import ast
import pathlib
import pkgutil
import subprocess
import sys

import pytest

import backend

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORE = ("backend.protocol", "backend.transports", "backend.servers", "backend.clients")
# Which packages each part of the back end must never import (the direction of the arrows).
FORBIDDEN = {
    **{core: ("backend.measuring", "backend.classroom", "backend.kernel_view", "qtapp") for core in CORE},
    "backend.native": ("backend.measuring", "backend.classroom", "qtapp"),
    "backend.kernel_view": ("backend.measuring", "backend.classroom", "qtapp"),
    "backend.measuring": ("backend.classroom", "qtapp"),
    "backend.processes": ("backend.measuring", "qtapp"),
    "backend": ("qtapp",),
}


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: pathlib.Path) -> list[tuple[int, str]]:
    """Every module a file imports, at any depth (imports inside functions count too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)]
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _part(module: str) -> str:
    """The most specific key of FORBIDDEN that `module` belongs to."""
    return max((key for key in FORBIDDEN if module == key or module.startswith(key + ".")), key=len)


BACKEND_FILES = sorted((ROOT / "backend").rglob("*.py"))


@pytest.mark.parametrize("path", BACKEND_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_imports_run_one_way(path):
    module = _module_name(path)
    forbidden = FORBIDDEN[_part(module)]
    wrong = [f"line {line}: {name}" for line, name in _imports(path)
             if any(name == bad or name.startswith(bad + ".") for bad in forbidden)]
    assert not wrong, f"{module} ({_part(module)}) must not import {forbidden}: {wrong}"


def test_the_rules_can_fail():
    """The checker sees an import inside a function (the kind that once opened the GUI from the CLI)."""
    assert (1, "qtapp.app") in _imports_of("def run():\n    from qtapp.app import main\n")


def _imports_of(source: str) -> list[tuple[int, str]]:
    path = ROOT / "build" / "architecture_probe.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(source, encoding="utf-8")
    try:
        return [(line - 1, name) for line, name in _imports(path)]
    finally:
        path.unlink()


@pytest.mark.parametrize("folder", ["backend", "qtapp"])
def test_no_module_over_500_lines(folder):
    long = {str(path.relative_to(ROOT)): count for path in (ROOT / folder).rglob("*.py")
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > 500}
    assert not long, f"split these modules: {long}"


def test_module_names_are_unique_per_job():
    """One file name, one job: no two modules of ours share a name (but __init__ and __main__)."""
    seen: dict[str, list[str]] = {}
    for folder in ("backend", "qtapp"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name not in ("__init__.py", "__main__.py"):
                seen.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert {name: paths for name, paths in seen.items() if len(paths) > 1} == {}


def test_every_package_says_what_it_owns():
    for init in sorted((ROOT / "backend").rglob("__init__.py")) + sorted((ROOT / "qtapp").rglob("__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and len(docstring) > 40, f"{init.relative_to(ROOT)} needs a docstring saying what it owns"


def test_backend_imports_no_qt():
    modules = ["backend"] + [info.name for info in pkgutil.walk_packages(backend.__path__, "backend.")]
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
    assert len(modules) > 30


@pytest.mark.parametrize("command", ["serve", "request", "bench"])
def test_the_entry_point_runs_backend_commands_without_qt(command):
    """`ipclab serve|request|bench` through the real entry point: no Qt, no GUI module loaded."""
    code = (
        "import sys\n"
        "from backend import cli\n"
        f"cli.run_{command} = lambda *arguments: print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph') or m.startswith('qtapp.') and m != 'qtapp.entry_point')) or 0\n"
        "from qtapp.entry_point import main\n"
        f"sys.exit(main({[command] + (['tcp'] if command != 'bench' else ['--transport', 'tcp'])!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"{command} loaded {result.stdout}"


def test_no_command_opens_the_gui_and_the_backend_alone_does_not():
    code = ("import sys\nfrom backend import cli\nimport qtapp.entry_point as e\n"
            "print(e.main.__module__, [x.name for x in [e.GUI_COMMAND] if x.default])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.stdout.split() == ["qtapp.entry_point", "['gui']"], result.stderr
    alone = subprocess.run([sys.executable, "-m", "backend"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert alone.returncode == 2 and "usage: ipclab" in alone.stderr
