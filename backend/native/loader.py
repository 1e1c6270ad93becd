"""Find and load the compiled data plane (libipclab_native.so) and choose the engine.

The library is looked for in lib/ beside this module (an installed or editable package), in a PyInstaller
bundle (`sys._MEIPASS/backend/native/lib/`), or at `$IPCLAB_NATIVE_LIBRARY` (a sanitizer build, for
CI). Loading never raises: without the library the pure-Python engine is used, and `why_unavailable`
says why. Engines: "python" (backend/protocol/engine.py, the reference), "native" (this package),
"auto" (native when available).
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys

LIBRARY_NAME = "libipclab_native.so"
ABI_VERSION = 5
ENGINES = ("auto", "native", "python")
ENVIRONMENT_VARIABLE = "IPCLAB_NATIVE_LIBRARY"


class EngineUnavailable(Exception):
    """The native engine was asked for but is not built or cannot be loaded."""


def candidate_paths() -> list[str]:
    """Where the library may be, in the order tried."""
    override = os.environ.get(ENVIRONMENT_VARIABLE)
    if override:
        return [override]
    paths = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib", LIBRARY_NAME)]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        paths.append(os.path.join(bundle, "backend", "native", "lib", LIBRARY_NAME))
    return paths


@functools.lru_cache(maxsize=1)
def _load() -> tuple[ctypes.CDLL | None, str]:
    reasons = []
    for path in candidate_paths():
        if not os.path.exists(path):
            reasons.append(f"{path} does not exist")
            continue
        try:
            library = ctypes.CDLL(path)
        except OSError as error:
            reasons.append(f"cannot load {path}: {error}")
            continue
        library.ipcl_abi_version.restype = ctypes.c_int32
        version = library.ipcl_abi_version()
        if version != ABI_VERSION:
            reasons.append(f"{path} has interface version {version}, expected {ABI_VERSION} (rebuild it)")
            continue
        return library, path
    return None, "; ".join(reasons) or "not built"


def library() -> ctypes.CDLL:
    """The loaded library; raises EngineUnavailable if there is none."""
    loaded, why = _load()
    if loaded is None:
        raise EngineUnavailable(f"the native engine is not available: {why}")
    return loaded


def available() -> bool:
    return _load()[0] is not None


def library_path() -> str | None:
    loaded, path = _load()
    return path if loaded is not None else None


def why_unavailable() -> str:
    loaded, why = _load()
    return "" if loaded is not None else why


def resolve_engine(engine: str) -> str:
    """"native" or "python" for a requested engine; "native" raises EngineUnavailable if not built."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if engine == "auto":
        return "native" if available() else "python"
    if engine == "native":
        library()
    return engine


NATIVE_SERVER_TRANSPORTS = ("tcp", "unix", "fifo")
# Servers that "auto" runs natively: every transport, now that the native server has every
# behaviour of the Python one (issue 12: magic and version checked after 8 bytes, a graceful close
# after a final ERROR frame; FIFO: the Python listener's resynchronisation, reply-FIFO checks and
# descriptor budget, replies stopped when abandoned). tests/test_socket_framing_errors.py,
# test_descriptor_limit.py and test_fifo_reply_safety.py run against both server engines.
AUTO_NATIVE_SERVER_TRANSPORTS: tuple[str, ...] = ("tcp", "unix", "fifo")


def resolve_server_engine(engine: str, transport: str, step: bool = False) -> str:
    """The engine of `ipclab serve`: the native one serves TCP and Unix connections in C and
    runs the FIFO server's listener in C; step mode and the naive demonstration run on the Python
    engine ("auto" picks it for them)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if engine == "python":
        return engine
    python_only = transport not in NATIVE_SERVER_TRANSPORTS or step
    if engine == "auto":
        return "native" if available() and transport in AUTO_NATIVE_SERVER_TRANSPORTS and not step else "python"
    if python_only:
        what = "step mode" if step else f"a {transport} server"
        raise EngineUnavailable(f"the native engine serves tcp, unix and fifo; {what} runs on the python engine")
    library()
    return engine


def engine_summary() -> str:
    """One line for `ipclab --version`: which engines this installation has."""
    if available():
        servers = ", ".join(AUTO_NATIVE_SERVER_TRANSPORTS) or "none"
        return f"engines: native (compiled data plane) and python; auto = native (clients; servers: {servers})"
    return f"engines: python only (native engine not built: {why_unavailable()})"
