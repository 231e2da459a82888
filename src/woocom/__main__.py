from woocom.cli import main

raise SystemExit(main())
