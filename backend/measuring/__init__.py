"""Measuring: workloads, statistics and the headless bench.

Owns: `runner` (workloads of many clients, batches of exchange records, stop), `stats`
(histograms, percentiles, chi-square), `bench` (`ipclab bench`: report, JSON, CSV).
May import: the core (`protocol`, `transports`, `servers`, `clients`). Never classroom or Qt.
"""
