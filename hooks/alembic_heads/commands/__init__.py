"""The commands of ``alembic-heads``: one module per command, each a ``build_parser()`` and a
``main(argv) -> int``; the library they share sits flat in the package."""
