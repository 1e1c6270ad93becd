"""The `ipclab` command line: `serve`, `request`, `bench` and `kernel` (and any command a front end adds).

The back end never names the GUI: `qtapp.entry_point` (the installed `ipclab` entry point) passes
its `gui` command in as an `ExtraCommand`, so `ipclab serve|request|bench` never loads Qt.

Exit codes: 0 success; 1 the operation failed (refused, timed out, server error, errors during a
bench); 2 bad command-line arguments; 3 a server could not start at its address. Heavy modules are
imported inside each command so that `ipclab serve` prints its ready line quickly.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from dataclasses import dataclass
from typing import Callable, Sequence

import backend

TRANSPORTS = ("fifo", "tcp", "unix")
SERVE_TRANSPORTS = TRANSPORTS + ("naive-fifo",)  # naive-fifo: the flawed design, demonstration only
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANNOT_SERVE = 0, 1, 2, 3


class ArgumentParser(argparse.ArgumentParser):
    """argparse with a one-line error message and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _count(text: str) -> int | None:
    if text == "random":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or 'random', got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"count must be >= 0, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _bounded_int(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a value in {low}..{high}, got {value}")
        return value

    return parse


_int32 = _bounded_int(-(2**31), 2**31 - 1)
_seed = _bounded_int(0, 2**64 - 1)


class _VersionAction(argparse.Action):
    """`--version`: the version and which engines this installation has (loaded only when asked)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from backend.native.loader import engine_summary

        sys.stdout.write(f"ipclab {backend.__version__} ({engine_summary()})\n")
        parser.exit(0)


ENGINE_HELP = ("data plane: native (compiled C), python, or auto (native when built; the default)")


@dataclass(frozen=True)
class ExtraCommand:
    """A command that a front end adds to the command line (the GUI adds `gui`)."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    default: bool = False  # run it when no command is given


def build_parser(extra_commands: Sequence[ExtraCommand] = ()) -> ArgumentParser:
    default = next((extra.name for extra in extra_commands if extra.default), None)
    parser = ArgumentParser(
        prog="ipclab",
        description="IPC Lab: show and measure interprocess communication over FIFOs, TCP and Unix sockets."
                    + (f" With no command, runs `{default}`." if default else ""),
    )
    parser.add_argument("--version", action=_VersionAction, help="show the version and the engines built, and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)

    for extra in extra_commands:
        extra.add_arguments(commands.add_parser(extra.name, help=extra.help))

    serve = commands.add_parser(
        "serve", help="run a server; prints JSON event lines on stdout",
        description="Run a server; it prints JSON event lines on stdout. Transports: fifo, tcp, unix; and "
                    "naive-fifo: the original exercise's flawed design (one reply FIFO shared by every client), "
                    "for demonstration only.",
    )
    serve.add_argument("transport", choices=SERVE_TRANSPORTS, metavar="{fifo,tcp,unix,naive-fifo}",
                       help="fifo, tcp, unix; or naive-fifo: the original exercise's flawed design, "
                            "for demonstration only")
    serve.add_argument("--dir", help="fifo, naive-fifo: the private directory (default: $XDG_RUNTIME_DIR/ipclab/fifo "
                                     "or .../naive-fifo)")
    serve.add_argument("--path", help="unix: the socket path (default: $XDG_RUNTIME_DIR/ipclab/ipclab.sock)")
    serve.add_argument("--host", help="tcp: address to bind (default 127.0.0.1; ::1 for IPv6)")
    serve.add_argument("--port", type=_bounded_int(0, 65535), help="tcp: port (0 picks a free one; default 5000)")
    serve.add_argument("--address", help="the address in one string: a directory, a path or HOST:PORT")
    serve.add_argument("--seed", type=_seed, help="seed the server's generator (reproducible numbers)")
    serve.add_argument("--max-count", type=_bounded_int(0, 100_000_000), default=100_000_000,
                       help="largest count served (default and protocol limit: 100000000)")
    serve.add_argument("--max-clients", type=_bounded_int(1, 65536), default=512,
                       help="clients served at once; more get a BUSY error (default 512)")
    serve.add_argument("--idle-timeout", type=_positive_float, default=60.0, help="drop idle connections (s, default 60)")
    serve.add_argument("--request-timeout", type=_positive_float, default=5.0,
                       help="drop half-sent requests (s, default 5)")
    serve.add_argument("--write-timeout", type=_positive_float, default=10.0,
                       help="drop clients that stop reading their reply (s, default 10)")
    serve.add_argument("--events", choices=("all", "summary", "none"), default="all",
                       help="event lines on stdout (default all; per-exchange lines are rate-limited)")
    serve.add_argument("--engine", choices=("auto", "native", "python"), default="auto",
                       help="server data plane: native (compiled C: tcp/unix connections, the fifo listener), python, "
                            "or auto (the default: native when built; step mode runs on python)")
    serve.add_argument("--die-with-parent", action="store_true", help="stop when the parent process dies (Linux)")
    serve.add_argument("--nice", type=_bounded_int(0, 19), default=0,
                       help="serve at this lower scheduling priority (niceness 0-19, every thread; the GUI starts "
                            "its servers with its client threads' niceness, so that a full-speed run gives way to "
                            "the GUI thread)")
    serve.add_argument("--step", action="store_true",
                       help="step mode for a class: serve one request at a time, print a 'step' event after each "
                            "system call and wait for a command on stdin, one per line: 'next' (do the next step), "
                            "'delay SECONDS' (slow motion; 'delay 0' runs freely), 'step' (wait for 'next' again). "
                            "End of stdin means run freely (fifo, tcp, unix)")

    request = commands.add_parser("request", help="do one exchange and print it, like the classic exercise's client")
    request.add_argument("transport", choices=TRANSPORTS)
    request.add_argument("address", nargs="?", help="server address (default: the well-known one for the transport)")
    request.add_argument("--count", type=_count, default=None, help="how many numbers, or 'random' for 1..10 (default)")
    request.add_argument("--lo", type=_int32, default=1, help="smallest value (default 1)")
    request.add_argument("--hi", type=_int32, default=10, help="largest value (default 10)")
    request.add_argument("--seed", type=_seed, help="ask the server for a reproducible sequence")
    request.add_argument("--timeout", type=_positive_float, default=10.0, help="seconds to wait (default 10)")
    request.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    request.add_argument("--trace", action="store_true",
                         help="print every system call of the exchange as one JSON line, in causal order; without "
                              "ADDRESS a private step-tracing server is started and both sides are shown")
    request.add_argument("--engine", choices=("auto", "native", "python"), default="auto", help=ENGINE_HELP)

    bench = commands.add_parser("bench", help="run a workload headless and report throughput, latency and distribution")
    bench.add_argument("--transport", choices=TRANSPORTS, required=True)
    bench.add_argument("--address", help="server address (default: start a private server for the run)")
    bench.add_argument("--requests", type=_bounded_int(0, 2**62), help="total exchanges (default 1000 without --duration)")
    bench.add_argument("--count", type=_count, default=10, help="numbers per exchange, or 'random' for 1..10 (default 10)")
    bench.add_argument("--lo", type=_int32, default=1, help="smallest value (default 1)")
    bench.add_argument("--hi", type=_int32, default=10, help="largest value (default 10)")
    bench.add_argument("--seed", type=_seed, help="make the whole run reproducible")
    bench.add_argument("--concurrency", type=_bounded_int(1, 4096), default=1, help="clients at once (default 1)")
    bench.add_argument("--duration", type=_positive_float, help="stop after this many seconds")
    bench.add_argument("--timeout", type=_positive_float, default=10.0, help="per-exchange timeout (s, default 10)")
    bench.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                       help="extra argument for the embedded server (repeatable)")
    bench.add_argument("--no-distribution", action="store_true",
                       help="skip counting the values (measures the transport alone; no chi-square)")
    bench.add_argument("--json", action="store_true", help="print the report as JSON (schema in docs/BENCH.md)")
    bench.add_argument("--csv", metavar="FILE", help="write one row per exchange to FILE")
    bench.add_argument("--no-progress", action="store_true", help="no progress line even on a terminal")
    bench.add_argument("--engine", choices=("auto", "native", "python"), default="auto",
                       help="the clients' " + ENGINE_HELP)

    kernel = commands.add_parser("kernel", help="what the kernel says each process and thread is doing (Linux)")
    kernel.add_argument("pids", nargs="+", type=_bounded_int(1, 2**22), metavar="PID")
    kernel.add_argument("--json", action="store_true", help="one JSON object per sample")
    kernel.add_argument("--watch", nargs="?", const=0.5, type=_positive_float, metavar="SECONDS",
                        help="sample again every SECONDS (default 0.5) until Ctrl+C")
    return parser


def main(argv: Sequence[str] | None = None, extra_commands: Sequence[ExtraCommand] = ()) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(extra_commands)
    options = parser.parse_args(arguments)
    for extra in extra_commands:
        if options.command == extra.name or (options.command is None and extra.default):
            return extra.run(options)
    if options.command is None:
        parser.print_usage(sys.stderr)
        return EXIT_USAGE
    if options.command == "serve":
        return run_serve(options, parser)
    if options.command == "request":
        return run_request(options)
    if options.command == "kernel":
        return run_kernel(options)
    return run_bench(options)


def _serve_address(options: argparse.Namespace, parser: ArgumentParser) -> str | None:
    sub = "ipclab serve"
    transport = options.transport
    given = {name: getattr(options, name) for name in ("dir", "path", "host", "port", "address")
             if getattr(options, name) is not None}
    allowed = {"fifo": {"dir", "address"}, "naive-fifo": {"dir", "address"}, "unix": {"path", "address"},
               "tcp": {"host", "port", "address"}}[transport]
    wrong = sorted(set(given) - allowed)
    if wrong:
        parser.exit(EXIT_USAGE, f"{sub}: error: --{wrong[0]} does not apply to {transport} (see {sub} --help)\n")
    if "address" in given and len(given) > 1:
        parser.exit(EXIT_USAGE, f"{sub}: error: give --address alone (see {sub} --help)\n")
    if transport == "tcp":
        from backend.transports.tcp import format_tcp_address, parse_tcp_address

        if "address" in given:
            try:
                parse_tcp_address(options.address, allow_port_zero=True)
            except ValueError as error:
                parser.exit(EXIT_USAGE, f"{sub}: error: {error} (see {sub} --help)\n")
            return options.address
        port = 5000 if options.port is None else options.port
        return format_tcp_address(options.host or "127.0.0.1", port)
    return options.address or options.dir or options.path


def _die_with_parent() -> None:
    """Ask Linux to send us SIGTERM when our parent dies, so no server outlives its owner."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


class _StopSignals:
    """SIGTERM, SIGINT and SIGHUP stop the server, whichever thread the kernel picks.

    A process-directed signal goes to any thread that does not block it; Python runs its handler
    only in the main thread, which may then sit in a blocking call that nothing interrupts. So the
    signals are blocked in every thread (the mask is inherited, hence this runs before any thread
    starts) and one thread takes them with sigwait() and calls stop(). Without pthread_sigmask
    (Windows) ordinary handlers are used.
    """

    def __init__(self) -> None:
        self.signals = {signal.SIGTERM, signal.SIGINT}
        if hasattr(signal, "SIGHUP"):
            self.signals.add(signal.SIGHUP)
        self._stop = None
        self._received = False
        self._lock = threading.Lock()
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, self.signals)
            threading.Thread(target=self._wait, name="ipclab-signals", daemon=True).start()
        else:
            for number in self.signals:
                signal.signal(number, lambda *_: self._deliver())

    def _wait(self) -> None:
        while True:
            signal.sigwait(self.signals)
            self._deliver()

    def _deliver(self) -> None:
        with self._lock:
            self._received = True
            stop = self._stop
        if stop is not None:
            stop()

    def route_to(self, stop) -> None:
        """From now on a stop signal calls `stop` (at once if one already arrived)."""
        with self._lock:
            self._stop = stop
            received = self._received
        if received:
            stop()


def run_serve(options: argparse.Namespace, parser: ArgumentParser) -> int:
    address = _serve_address(options, parser)
    from backend.native.loader import EngineUnavailable, resolve_server_engine

    try:
        engine = resolve_server_engine(options.engine, options.transport, options.step)
    except EngineUnavailable as error:
        parser.exit(EXIT_USAGE, f"ipclab serve: error: --engine native: {error} (see ipclab serve --help)\n")
    if options.nice:
        try:
            os.nice(options.nice)  # this thread's niceness: every thread started later inherits it
        except OSError:
            pass
    stop_signals = _StopSignals()  # before any thread starts: they all inherit the blocked mask
    if options.die_with_parent:
        _die_with_parent()
    from backend.servers.events import EventWriter
    from backend.servers.server import ServerConfig, make_server
    from backend.transports.base import TransportError

    config = ServerConfig(
        transport=options.transport, address=address, seed=options.seed, max_count=options.max_count,
        max_clients=options.max_clients, idle_timeout=options.idle_timeout,
        request_timeout=options.request_timeout, write_timeout=options.write_timeout, engine=engine,
    )
    if options.step and options.transport == "naive-fifo":
        parser.exit(EXIT_USAGE, "ipclab serve: error: --step does not apply to naive-fifo (see ipclab serve --help)\n")
    server_holder: list = []
    events = EventWriter(sys.stdout.buffer, options.events,
                         on_broken=lambda: server_holder and server_holder[0].stop())
    stepper = None
    try:
        if options.step:
            from backend.classroom.stepped_servers import (
                make_stepped_server,
                step_event_writer,
            )
            from backend.classroom.stepping import Stepper

            stepper = Stepper(step_event_writer(events), mode="step")
            server = make_stepped_server(config, events, stepper)
        elif options.transport == "naive-fifo":
            from backend.classroom.naive import NaiveFifoServer

            server = NaiveFifoServer(config, events)
        else:
            server = make_server(config, events)
    except (TransportError, ValueError) as error:
        print(f"ipclab serve: {error}", file=sys.stderr)
        return EXIT_CANNOT_SERVE
    server_holder.append(server)
    stop_signals.route_to(server.stop)
    try:
        address = server.start()
    except (TransportError, OSError, ValueError) as error:
        server.close()
        print(f"ipclab serve: {error}", file=sys.stderr)
        return EXIT_CANNOT_SERVE
    ready = {"transport": options.transport, "address": address, "pid": os.getpid(), "protocol": 1,
             "version": backend.__version__, "engine": engine}
    if options.transport in ("fifo", "naive-fifo"):
        ready["request_fifo"] = server.directory.request_path
        ready["stale_files_removed"] = server.directory.stale_files_removed
    if options.transport == "naive-fifo":
        ready["reply_fifo"] = server.directory.reply_path
        ready["demonstration_only"] = True
    if stepper is not None:
        ready["step"] = True
    events.emit("ready", **ready)
    events.start_stats()
    if stepper is not None:
        from backend.classroom.stepped_servers import start_command_reader

        start_command_reader(stepper, on_error=lambda message: events.emit("step_error", error=message))
    exit_code = EXIT_OK
    try:
        server.serve_forever()
    except Exception as error:  # noqa: BLE001 - report, clean up, exit non-zero
        print(f"ipclab serve: internal error: {error!r}", file=sys.stderr)
        exit_code = EXIT_FAILED
    finally:
        server.stop()
        server.join_threads(1.0)
        server.close()
        events.stop_stats()
        events.emit("stopped", **events.stats_fields())
        events.close()
    return exit_code


def run_request(options: argparse.Namespace) -> int:
    import numpy as np

    from backend.clients.client import make_client
    from backend.protocol.engine import ServerError
    from backend.transports.base import TransportError

    count = options.count
    if count is None:
        count = int(np.random.default_rng().integers(1, 10, endpoint=True))
    if options.trace:
        return _run_traced_request(options, count)
    from backend.native.loader import EngineUnavailable

    try:
        client = make_client(options.transport, options.address, timeout=options.timeout, engine=options.engine)
    except (ValueError, EngineUnavailable) as error:
        print(f"ipclab request: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with client:
            result = client.request(count, options.lo, options.hi, options.seed)
    except (ServerError, TransportError, OSError) as error:
        print(f"ipclab request: {error}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # noqa: BLE001 - e.g. ProtocolError raised for limits on our side
        print(f"ipclab request: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    # Text shows the first 1000 values: never turn a huge reply into a Python list for nothing.
    shown_values = result.values if options.json else result.values[:1000]
    values = shown_values.astype(np.int64).tolist()
    if options.json:
        print(json.dumps({
            "transport": options.transport, "address": client.address, "client_pid": client.pid,
            "server_pid": result.server_pid, "request_id": result.request_id, "count": count,
            "engine": client.engine,
            "lo": options.lo, "hi": options.hi, "values": values,
            "round_trip_us": round(result.latency_ns / 1000, 1),
            "server_generation_us": round(result.server_generation_ns / 1000, 1),
            "server_service_us": round(result.server_service_ns / 1000, 1),
        }))
        return EXIT_OK
    shown = " ".join(map(str, values)) + (" ..." if count > 1000 else "")
    print(f"client pid {client.pid} -> server pid {result.server_pid} ({options.transport} {client.address})")
    print(f"asked for {count} numbers in {options.lo}..{options.hi}, received {len(result.values)}:")
    print(shown)
    print(f"round trip {result.latency_ns / 1000:.1f} us (server {result.server_service_ns / 1000:.1f} us, "
          f"of which generating {result.server_generation_ns / 1000:.1f} us)")
    return EXIT_OK


def _run_traced_request(options: argparse.Namespace, count: int) -> int:
    from backend.classroom.request_trace import trace_request
    from backend.processes.server_child import ServerStartError
    from backend.protocol.engine import ServerError
    from backend.transports.base import TransportError

    try:
        steps, _ = trace_request(options.transport, options.address, count, options.lo, options.hi, options.seed,
                                 options.timeout)
    except (ServerError, TransportError, ServerStartError, OSError) as error:
        print(f"ipclab request: {error}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # noqa: BLE001 - a bad address or count, said in one line
        print(f"ipclab request: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    for step in steps:
        print(json.dumps(step.to_record()))
    return EXIT_OK


def run_bench(options: argparse.Namespace) -> int:
    from backend.measuring.bench import run_bench_command

    return run_bench_command(options)


if __name__ == "__main__":
    raise SystemExit(main())


def run_kernel(options: argparse.Namespace) -> int:
    from backend.kernel_view.kernel_report import run

    return run(options.pids, options.json, options.watch)
