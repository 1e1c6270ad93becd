"""IPC Lab's Qt GUI (PySide6 + pyqtgraph). Importing this package does not import Qt.

The command line imports `qtapp.app` lazily, only when the GUI is asked for.
"""

import backend  # noqa: E402,F401  (first: it sets numpy's thread default before pyqtgraph imports numpy)
