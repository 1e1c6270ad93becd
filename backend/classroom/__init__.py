"""The classroom: readable Python that shows a class how IPC works, one system call at a time.

Owns: `stepping` (the Stepper: one step per system call, step events), `stepped_servers`
(`ipclab serve T --step`), `traced_exchange` (a client exchange that reports each system call),
`naive` (the original exercise's flawed two-FIFO design, demonstration only), `wire_fields`
(name every byte of a captured exchange), `fault_demos` (a client that never sends, garbage, a
crowd). Students read this code: it stays plain Python, never compiled.
May import: the core and `backend.measuring`. Never Qt.
"""
