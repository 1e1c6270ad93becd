"""`python -m qtapp ...` runs the whole `ipclab` command line, the GUI included."""

from qtapp.entry_point import main

if __name__ == "__main__":
    raise SystemExit(main())
