from frontend_deploy.cli import main

raise SystemExit(main())
