"""The window and what every part of it shares: the main window, settings, language, style, the
`--demo` driver and `BackgroundCall` (one blocking backend call in a QThread).

May import: `qtapp.measuring`, `qtapp.classroom` and the back end.
"""
