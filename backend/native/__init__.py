"""The native data plane: the per-exchange loops in compiled C, called from Python with ctypes.

`src/*.c` is compiled by `pip install` (setup.py) into `lib/libipclab_native.so`, a plain shared
library (no Python headers); without a C compiler the package installs without it and the pure-
Python engine (`backend.protocol.engine`, the reference) runs everything. `loader` finds the
library and resolves `--engine native|python|auto`; `client_plane` runs batches of client
exchanges in C with the interpreter lock released (send, receive, check every frame, time,
count the values); `server_plane` serves each TCP/Unix connection of a SocketServer in C
(src/server.c); `fifo_plane` runs the FIFO server's listener in C (src/fifo_server.c: it reads and
checks the requests and writes the small replies).
May import: the core. Never measuring, classroom or Qt.
"""
