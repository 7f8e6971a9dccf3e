"""The commands of ``iop-scheduler`` (``cli.main`` holds them), a module per kind of work."""
