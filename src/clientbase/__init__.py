"""clientbase: one clean customer base out of scattered contact lists, for the terminal and cron."""

__version__ = "0.1.0"
