"""The `mcreview` command line: a thin click layer over the services."""

from mcreview.cli.main import cli, main

__all__ = ["cli", "main"]
