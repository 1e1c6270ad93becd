"""Icons, translations and other data files of IPC Lab, installed as the `qtapp.resources` package."""
