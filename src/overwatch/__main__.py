from overwatch.cli import main

raise SystemExit(main())
