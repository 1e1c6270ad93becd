"""The classroom tabs: the live architecture drawing, step by step, the bytes on the wire, naive vs
textbook, faults, the guided tour and the `--demo-feature` screenshots.

May import: the back end, `qtapp.measuring` and `qtapp.window`'s shared helpers.
"""
