"""The native data plane: the per-exchange loops of clients and servers in compiled C.

Home of the compiled engine (issue: measure the kernel, not the interpreter). It will offer the
same interface as the pure-Python engine in `backend.protocol.engine`, which stays the reference
and the fallback. Nothing lives here yet.
May import: the core. Never measuring, classroom or Qt.
"""
