"""Owning child processes: start an `ipclab serve` child, wait for its ready line, stop it for sure.

Owns: `server_child` (ServerProcess: used by `ipclab bench`, the benchmarks and the tests; the
GUI has its own QProcess owner in `qtapp/server_qprocess.py`, which shares `serve_command`).
May import: the core, and the classroom only to clean up after its demonstration servers.
Never measuring or Qt.
"""
