"""The alembic-heads commands: one module each, imported only by cli."""
