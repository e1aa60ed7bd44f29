"""annotate: a fact-checking annotation toolkit."""

__version__ = "0.1.0"
