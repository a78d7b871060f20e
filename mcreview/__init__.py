"""mcreview: assess educator micro-credential submissions from the terminal."""

__version__ = "0.1.0"
