"""One module per ``alembic-heads`` command: its ``build_parser()`` and ``main(argv) -> int``."""
