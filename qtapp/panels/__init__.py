"""The main window's panels: servers, client controls, logs."""
