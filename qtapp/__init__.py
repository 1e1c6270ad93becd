"""IPC Lab's Qt GUI (PySide6 + pyqtgraph). Importing this package does not import Qt.

The command line imports `qtapp.app` lazily, only when the GUI is asked for.
"""
