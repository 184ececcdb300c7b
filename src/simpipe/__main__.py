from simpipe.cli import main

raise SystemExit(main())
