"""Keep an Alembic revision history to one head, reading it without running it."""

__version__ = "0.1.0"
