"""IPC Lab back end: protocol, servers, clients, workloads and statistics, in plain Python (no Qt)."""

__version__ = "0.1.0"
