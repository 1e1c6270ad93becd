"""The `ipclab` entry point: the back end's command line plus the `gui` command (the default).

`ipclab serve|request|bench` run the back end's commands and never import Qt; `ipclab` alone or
`ipclab gui ...` imports `qtapp.app` and opens the window.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from backend.cli import EXIT_FAILED, ExtraCommand
from backend.cli import main as backend_main


def add_gui_arguments(gui: argparse.ArgumentParser) -> None:
    """The options of `ipclab gui`."""
    gui.add_argument("--demo", action="store_true", help="start the servers and run a short workload on each transport")
    gui.add_argument("--screenshot", metavar="FILE", help="with --demo: save the populated window as PNG and exit")
    gui.add_argument("--presentation", action="store_true", help="large fonts and high contrast for a classroom")
    gui.add_argument("--language", choices=("en", "fr"), help="language of the window (default: system locale)")
    gui.add_argument("--demo-feature", metavar="NAME",
                     help="with --screenshot: set up one classroom feature (architecture, presentation, step, "
                          "wire, naive, fault, crowd, own-server, french, tour, ...) and save it")


def run_gui(options: argparse.Namespace) -> int:
    """Open the window (imports Qt only now)."""
    try:
        from qtapp.app import main as gui_main
    except ImportError as error:
        print(f"ipclab: cannot open the GUI: {error} (install the GUI dependencies: pip install ipclab)", file=sys.stderr)
        return EXIT_FAILED
    return gui_main(options)


GUI_COMMAND = ExtraCommand("gui", "open the graphical application (the default)", add_gui_arguments, run_gui,
                           default=True)


def main(argv: Sequence[str] | None = None) -> int:
    """`ipclab ...`: every command, the GUI included."""
    return backend_main(argv, extra_commands=[GUI_COMMAND])
