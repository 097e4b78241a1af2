from alembic_heads.cli import main

raise SystemExit(main())
