"""IPC Lab back end: protocol, servers, clients, workloads and statistics, in plain Python (no Qt).

`backend.__version__` is the single version number of the project, read from the installed
package's metadata (which comes from pyproject.toml), or from pyproject.toml in a source tree.
It is computed on first use so that `ipclab serve` starts without the lookup.

Importing the package also asks numpy's OpenBLAS for one thread unless the environment says
otherwise: IPC Lab does no linear algebra, and on a machine with few cores OpenBLAS's extra
threads, which spin for a while after numpy starts, take CPU from the processes being measured
(about 30 ms more before `ipclab serve` is ready, on 2 cores).
"""

from __future__ import annotations

import functools
import os
import re

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before anything imports numpy


@functools.lru_cache(maxsize=1)
def project_version() -> str:
    """The version in pyproject.toml: from the source tree if we run from one, else installed metadata."""
    pyproject = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pyproject.toml")
    try:
        with open(pyproject, encoding="utf-8") as handle:
            match = re.search(r'^version\s*=\s*"([^"]+)"', handle.read(), re.MULTILINE)
        if match:
            return match.group(1)
    except OSError:
        pass
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("ipclab")
    except (ImportError, PackageNotFoundError):
        return "0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return project_version()
    raise AttributeError(f"module 'backend' has no attribute {name!r}")
