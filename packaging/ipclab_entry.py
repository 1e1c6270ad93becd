"""Entry point of the frozen bundle: one binary for every role (gui, serve, request, bench).

The GUI starts its servers by running this same binary with `serve ...`
(see backend.server_process.serve_command).
"""

import multiprocessing
import sys

from qtapp.entry_point import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
