"""The native engine's build and fallback: an installation without a C compiler still works."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy
import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_install_without_a_compiler_runs_the_python_engine(tmp_path):
    """`pip install` with CC=/bin/false warns, installs, and the app runs on the Python engine."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # numpy (a dependency) from this environment; the package itself is built and installed fresh.
    with open(os.path.join(site, "dependencies.pth"), "w") as handle:
        handle.write(os.path.dirname(os.path.dirname(numpy.__file__)) + "\n")
    environment = dict(os.environ, CC="/bin/false")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-v", "--no-deps", ROOT],
                             capture_output=True, text=True, timeout=600, env=environment, cwd=tmp_path)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    assert "the native engine was not built" in install.stdout + install.stderr
    installed = os.path.join(site, "backend", "native")
    assert os.path.isdir(installed) and not os.path.exists(os.path.join(installed, "lib", "libipclab_native.so"))
    ipclab = str(venv / "bin" / "ipclab")
    run = dict(capture_output=True, text=True, timeout=120, cwd=tmp_path)
    version = subprocess.run([ipclab, "--version"], **run)
    assert version.returncode == 0 and "python only" in version.stdout
    bench = subprocess.run([ipclab, "bench", "--transport", "unix", "--requests", "50", "--json"], **run)
    assert bench.returncode == 0, bench.stderr
    report = json.loads(bench.stdout)
    assert report["engine"] == "python" and report["exchanges"] == 50 and report["lost_numbers"] == 0
    refused = subprocess.run([ipclab, "bench", "--transport", "unix", "--requests", "5", "--engine", "native"], **run)
    assert refused.returncode == 2 and "native engine is not available" in refused.stderr


def test_this_installation_has_the_native_engine():
    """The development install compiles it (CI machines have gcc): a missing build is a failure here,
    not a silent fallback."""
    from backend.native import loader

    assert loader.available(), loader.why_unavailable()
