"""docs/BENCH.md must not drift from the report and the CSV columns, and one byte word means one
thing: `value_bytes` (4 per value) and `wire_bytes` (every frame byte) agree between JSON and CSV."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from backend.measuring.runner import CSV_COLUMNS, RECORD_FIELDS, SCHEMA, WorkloadSpec, WorkloadStatistics
from backend.protocol import frames as protocol
from tests.test_cli import ipclab

DOC = Path(__file__).resolve().parent.parent / "docs" / "BENCH.md"


def documented_keys(text: str) -> set[str]:
    """The report keys named in the first column of the key table."""
    keys: set[str] = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            keys.update(re.findall(r"`([a-z_0-9.]+)`", line.split("|")[1]))
    return keys


def documented_csv_columns(text: str) -> list[str]:
    match = re.search(r"`--csv FILE` writes one row per exchange with the columns `([^`]+)`", text)
    assert match, "docs/BENCH.md does not list the CSV columns"
    return [column.strip() for column in match.group(1).replace("\n", " ").split(",")]


def test_every_report_key_is_documented_and_every_documented_key_exists():
    """The keys of a real `ipclab bench --json` report (the statistics' and those bench adds)."""
    result = ipclab("bench", "--transport", "tcp", "--requests", "5", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    text = DOC.read_text(encoding="utf-8")
    assert documented_keys(text) == set(report)
    assert set(WorkloadStatistics(WorkloadSpec(transport="tcp")).report()) <= set(report)
    assert f"`{SCHEMA}`" in text.splitlines()[0]


def test_the_csv_columns_are_documented_in_order():
    assert documented_csv_columns(DOC.read_text(encoding="utf-8")) == list(CSV_COLUMNS)
    assert CSV_COLUMNS[-2:] == ("engine", "server_engine")


def test_no_ambiguous_bytes_word():
    report = WorkloadStatistics(WorkloadSpec(transport="tcp")).report()
    assert "bytes" not in report and "bytes" not in RECORD_FIELDS and "megabytes_per_s" not in report


def expected_wire_bytes(count: int) -> int:
    """Request + chunk frames (headers and values) + END, from the protocol's sizes alone."""
    chunks = -(-count // protocol.MAX_CHUNK_VALUES)
    return protocol.REQUEST_SIZE + chunks * protocol.CHUNK_HEADER_SIZE + 4 * count + protocol.END_SIZE


@pytest.mark.parametrize("transport", ["fifo", "tcp", "unix"])
def test_json_and_csv_bytes_mean_the_same(transport, tmp_path):
    csv_path = tmp_path / "records.csv"
    result = ipclab("bench", "--transport", transport, "--requests", "120", "--count", "random",
                    "--concurrency", "2", "--json", "--csv", str(csv_path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    with open(csv_path) as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 120
    assert report["value_bytes"] == sum(int(row["value_bytes"]) for row in rows) == 4 * report["numbers"]
    assert report["wire_bytes"] == sum(int(row["wire_bytes"]) for row in rows)
    assert all(int(row["wire_bytes"]) == expected_wire_bytes(int(row["count"])) for row in rows)
    # Each row says which engines measured it, as the JSON report does.
    assert report["engine"] in ("native", "python") and report["server_engine"] in ("native", "python")
    assert {(row["engine"], row["server_engine"]) for row in rows} == {(report["engine"], report["server_engine"])}
