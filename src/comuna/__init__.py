"""Comuna: an open platform for a network of communes."""

__version__ = "0.1.0"
