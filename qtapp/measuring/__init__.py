"""Measuring in the GUI: server panels and their QProcess owner, client workers in QThreads, the run
model and its bounded buffers, logs, live plots (`plots/`), Compare and export.

May import: the back end and `qtapp.window`'s shared helpers (settings, style). Never the classroom.
"""
