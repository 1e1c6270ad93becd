"""Where the data files in `resources/` are, whether run from source, installed or frozen."""

from __future__ import annotations

import os
import sys


def resources_directory() -> str:
    """The directory holding `icons/`, `translations/`, ...

    Frozen (PyInstaller): `<bundle>/resources`; installed with pip: the `qtapp.resources` package;
    from a source checkout: the top-level `resources/` folder.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return os.path.join(frozen_root, "resources")
    source = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources")
    if os.path.isdir(os.path.join(source, "icons")):
        return source
    try:
        import qtapp.resources as installed  # the wheel maps resources/ to qtapp.resources

        return os.path.dirname(os.path.abspath(installed.__file__))
    except ImportError:
        return source


def resource_path(*parts: str) -> str:
    """The path of one data file, e.g. resource_path("icons", "ipclab.svg")."""
    return os.path.join(resources_directory(), *parts)
