"""`ipclab bench`: run a workload headless, show progress, and report as text, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import threading
import time

from backend.measuring.runner import (
    CSV_COLUMNS,
    ExchangeBatch,
    WorkloadRunner,
    WorkloadSpec,
)
from backend.processes.server_child import ServerProcess, ServerStartError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CsvRecorder:
    """Writes one row per exchange as batches arrive (from any client thread)."""

    def __init__(self, path: str, transport: str, server_engine: str | None = None) -> None:
        self._file = open(path, "w", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(CSV_COLUMNS)
        self._transport = transport
        self._server_engine = server_engine or ""
        self._lock = threading.Lock()

    def add(self, batch: ExchangeBatch) -> None:
        rows = batch.records.tolist()
        with self._lock:
            self._writer.writerows([self._transport, *row, batch.engine, self._server_engine] for row in rows)

    def close(self) -> None:
        self._file.close()


def format_report(report: dict) -> str:
    """A human-readable report, one figure per line with its unit."""
    latency = report["latency_us"]
    distribution = report["distribution"] or {}
    workload = report["workload"]

    def us(value: float | None) -> str:
        return "-" if value is None else f"{value:,.1f} us"

    lines = [
        f"transport      {report['transport']} at {report['address']}, {report['engine']} engine"
        + (" (private server started for this run)" if report["embedded_server"] else ""),
        f"workload       {workload['requests'] if workload['requests'] is not None else 'unlimited'} requests x "
        f"{workload['count']} {'number' if workload['count'] == 1 else 'numbers'} in {workload['lo']}..{workload['hi']}, concurrency {workload['concurrency']}"
        + (f", duration {workload['duration']} s" if workload["duration"] else ""),
        f"exchanges      {report['exchanges']:,} in {report['elapsed_s']:.3f} s, errors {report['errors']}"
        + (f" {report['errors_by_code']}" if report["errors"] else ""),
        f"rate           {report['exchanges_per_s']:,.0f} exchanges/s, {report['numbers_per_s']:,.0f} numbers/s, "
        f"{report['value_megabytes_per_s']:,.1f} MB/s of values ({report['wire_megabytes_per_s']:,.1f} MB/s on the wire)",
        f"latency        p50 {us(latency['p50'])}  p90 {us(latency['p90'])}  p99 {us(latency['p99'])}  "
        f"p99.9 {us(latency['p99.9'])}  max {us(latency['max'])}",
        f"numbers        {report['numbers']:,} received, {report['lost_numbers']} lost, "
        f"{report['out_of_range']} out of range" + ("" if report["values_checked"] else " (values not counted)"),
    ]
    if not distribution:
        lines.append("distribution   not checked (--no-distribution)")
    elif distribution["p_value"] is not None and distribution["degrees_of_freedom"]:
        lines.append(
            f"distribution   chi-square {distribution['chi_square']:.2f} with {distribution['degrees_of_freedom']} "
            f"degrees of freedom, p = {distribution['p_value']:.4f} against uniform over {distribution['lo']}..{distribution['hi']}"
        )
    for message in report["error_messages"][:3]:
        lines.append(f"error          {message}")
    return "\n".join(lines)


def _progress_printer(spec: WorkloadSpec):
    started = time.monotonic()

    def show(runner: WorkloadRunner) -> None:
        done = runner.completed
        elapsed = time.monotonic() - started
        rate = done / elapsed if elapsed > 0 else 0.0
        if spec.requests:
            fraction = min(1.0, done / spec.requests)
            left = (spec.requests - done) / rate if rate > 0 else float("inf")
            text = f"\r{done:,}/{spec.requests:,} exchanges ({fraction:.0%}), {rate:,.0f}/s, {left:.0f} s left   "
        else:
            text = f"\r{done:,} exchanges, {rate:,.0f}/s, {elapsed:.0f} s   "
        sys.stderr.write(text)
        sys.stderr.flush()

    return show


def run_bench_command(options: argparse.Namespace) -> int:
    requests = options.requests
    if requests is None and options.duration is None:
        requests = 1000
    spec = WorkloadSpec(
        transport=options.transport, address=options.address, requests=requests, count=options.count,
        lo=options.lo, hi=options.hi, seed=options.seed, concurrency=options.concurrency,
        duration=options.duration, timeout=options.timeout, check_values=not options.no_distribution,
        engine=options.engine,
    )
    from backend.native.loader import EngineUnavailable

    try:
        spec.check()
        spec.resolved_engine()
        if options.address:
            from backend.clients.client import check_address

            check_address(options.transport, options.address)
    except (ValueError, EngineUnavailable) as error:
        print(f"ipclab bench: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    server: ServerProcess | None = None
    address = options.address
    try:
        if address is None:
            # The embedded server runs on the same engine as the clients (a --server-arg may override it).
            server = ServerProcess(options.transport,
                                   extra_arguments=["--events", "none", "--engine", options.engine, *options.server_arg])
            try:
                address = server.start()
            except ServerStartError as error:
                print(f"ipclab bench: cannot start a {options.transport} server: {error}", file=sys.stderr)
                return EXIT_FAILED
        server_engine = server.ready_event.get("engine") if server is not None else None
        recorder = CsvRecorder(options.csv, options.transport, server_engine) if options.csv else None
        runner = WorkloadRunner(spec, address, on_batch=recorder.add if recorder else None)
        show_progress = not options.no_progress and sys.stderr.isatty()
        try:
            statistics = runner.run(_progress_printer(spec) if show_progress else None)
            stopped_early = runner.stopped  # read before close(), which cancels the (finished) clients
        finally:
            runner.close()
            if recorder:
                recorder.close()
        if show_progress:
            sys.stderr.write("\n")
        report = statistics.report(address, embedded=server is not None, stopped=stopped_early)
        report["server_engine"] = server_engine
    finally:
        if server is not None:
            server.stop()
    if options.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
    return EXIT_OK if report["errors"] == 0 and report["lost_numbers"] == 0 else EXIT_FAILED
