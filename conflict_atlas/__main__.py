from conflict_atlas.cli import main

raise SystemExit(main())
