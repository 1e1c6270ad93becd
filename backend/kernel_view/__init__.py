"""The kernel's view: what /proc says each real process and thread is doing (Linux only).

Home of the /proc sampler: state, current system call, wait channel, descriptors and buffer
fills, read without ever opening another process's FIFO. Nothing lives here yet.
May import: nothing of the core but its names of channels. Never measuring, classroom or Qt.
"""
