"""`python -m backend ...` runs the `ipclab` command line (how the GUI starts its servers)."""

from backend.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
