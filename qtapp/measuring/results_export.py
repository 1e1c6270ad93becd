"""Export results: JSON in the `ipclab bench --json` schema, CSV in `ipclab bench --csv` columns."""

from __future__ import annotations

import csv
import json

from backend.measuring.runner import CSV_COLUMNS
from qtapp.measuring.model import RunModel


def results_json(model: RunModel) -> dict | list:
    """One bench report (schema ipclab.bench/2) per transport run; a single object for one run."""
    reports = [series.report() for series in model.series.values()]
    return reports[0] if len(reports) == 1 else reports


def write_json(path: str, model: RunModel) -> None:
    with open(path, "w") as handle:
        json.dump(results_json(model), handle, indent=2)
        handle.write("\n")


def write_csv(path: str, model: RunModel) -> int:
    """One row per exchange (the most recent ones kept, per transport), with the engines that
    measured them (as the JSON export's `engine` and `server_engine`); returns the rows written."""
    rows = 0
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for transport, series in model.series.items():
            records = series.records.records().tolist()
            report = series.report()
            engines = [report["engine"], report["server_engine"] or ""]
            writer.writerows([transport, *record, *engines] for record in records)
            rows += len(records)
    return rows
