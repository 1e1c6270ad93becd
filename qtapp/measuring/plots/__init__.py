"""Live pyqtgraph plots: every item is created once; `refresh` calls `setData` from a GUI timer."""
