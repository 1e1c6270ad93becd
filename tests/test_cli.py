"""The `ipclab` command line, run as a real subprocess."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from backend import __version__


def ipclab(*arguments: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`ipclab ARGUMENTS` through the installed entry point's module (`qtapp.entry_point`)."""
    return subprocess.run([sys.executable, "-m", "qtapp", *arguments], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("command", [[], ["gui"], ["serve"], ["request"], ["bench"]])
def test_help(command):
    result = ipclab(*command, "--help")
    assert result.returncode == 0
    assert "usage: ipclab" in result.stdout


def test_version():
    result = ipclab("--version")
    assert result.returncode == 0 and result.stdout.startswith(f"ipclab {__version__} (engines: ")
    from backend.native.loader import available

    assert ("native (compiled data plane) and python" in result.stdout) == available()


@pytest.mark.parametrize("arguments", [
    ["serve", "pigeon"],
    ["serve", "tcp", "--port", "70000"],
    ["serve", "tcp", "--dir", "/tmp/x"],
    ["serve", "fifo", "--port", "5000"],
    ["serve", "tcp", "--idle-timeout", "-1"],
    ["serve", "tcp", "--events", "loud"],
    ["request", "tcp", "--count", "many"],
    ["request", "tcp", "--hi", "99999999999"],
    ["bench", "--transport", "tcp", "--concurrency", "0"],
    ["bench"],
    ["bench", "--transport", "tcp", "--duration", "nan"],
    ["bench", "--transport", "tcp", "--address", "no-port-here"],
    ["bench", "--transport", "tcp", "--lo", "5", "--hi", "1"],
    ["frobnicate"],
])
def test_bad_arguments_exit_2_with_one_line(arguments):
    result = ipclab(*arguments)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("transport", ["fifo", "tcp", "unix"])
def test_request_prints_the_exchange_with_both_pids(start_server, transport):
    server = start_server(transport)
    result = ipclab("request", transport, server.address)
    assert result.returncode == 0, result.stderr
    assert f"server pid {server.pid}" in result.stdout
    numbers = result.stdout.splitlines()[2].split()
    assert 1 <= len(numbers) <= 10 and all(1 <= int(n) <= 10 for n in numbers)
    as_json = json.loads(ipclab("request", transport, server.address, "--count", "7", "--json").stdout)
    assert as_json["server_pid"] == server.pid and len(as_json["values"]) == 7


def test_request_without_server_fails_clearly(runtime_directory):
    result = ipclab("request", "unix", f"{runtime_directory}/nobody.sock")
    assert result.returncode == 1
    assert "no server is listening" in result.stderr and "Traceback" not in result.stderr
    result = ipclab("request", "fifo", f"{runtime_directory}/nobody")
    assert result.returncode == 1 and "no server" in result.stderr


def test_serve_prints_ready_then_events(start_server):
    events: list = []
    server = start_server("tcp", events=events)
    assert server.ready_event["event"] == "ready"
    assert server.ready_event["protocol"] == 1 and server.ready_event["pid"] == server.pid
    ipclab("request", "tcp", server.address, "--count", "3")
    server.stop()
    names = [event["event"] for event in events]
    assert names[:3] == ["client_connected", "request", "reply_sent"]
    assert "client_gone" in names and names[-1] == "stopped"


@pytest.mark.parametrize("transport", ["fifo", "tcp", "unix"])
def test_bench_json_and_csv(transport, tmp_path):
    csv_path = tmp_path / "records.csv"
    result = ipclab("bench", "--transport", transport, "--requests", "300", "--count", "random",
                    "--concurrency", "3", "--seed", "7", "--json", "--csv", str(csv_path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["schema"] == "ipclab.bench/2" and report["embedded_server"] is True
    assert report["exchanges"] == 300 and report["errors"] == 0 and report["lost_numbers"] == 0
    assert report["stopped_early"] is False  # a run that completed (it read True once: the flag after close())
    assert report["workload"]["count"] == "random"
    assert 300 <= report["numbers"] <= 3000
    latency = report["latency_us"]
    assert 0 < latency["min"] <= latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]
    assert report["distribution"]["degrees_of_freedom"] == 9
    assert 0.0 <= report["distribution"]["p_value"] <= 1.0
    with open(csv_path) as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 300 and sum(int(row["count"]) for row in rows) == report["numbers"]
    assert all(row["error"] == "0" and int(row["latency_ns"]) > 0 for row in rows)


def test_bench_text_report(start_server):
    server = start_server("unix")
    result = ipclab("bench", "--transport", "unix", "--address", server.address, "--requests", "50")
    assert result.returncode == 0, result.stderr
    assert "exchanges/s" in result.stdout and "p99" in result.stdout and "chi-square" in result.stdout


def test_bench_against_dead_server_reports_failure(runtime_directory):
    result = ipclab("bench", "--transport", "unix", "--address", f"{runtime_directory}/gone.sock", "--requests", "5")
    assert result.returncode == 1
    assert "no server is listening" in result.stdout + result.stderr


def test_servers_run_the_installed_package_whatever_the_current_directory(start_server, tmp_path, monkeypatch):
    """A GUI or bench started inside a source checkout (README: `pip install . && .venv/bin/ipclab`)
    must not run its servers from the `backend` folder of the current directory."""
    fake = tmp_path / "backend"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('the backend of the current directory was imported')\n")
    (fake / "__main__.py").write_text("raise SystemExit(3)\n")
    monkeypatch.chdir(tmp_path)
    server = start_server("tcp", "--events", "none")
    assert server.ready_event["event"] == "ready"
