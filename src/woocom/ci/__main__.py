"""`python -m woocom.ci`: every workflow check; exit 1 with the findings if any."""

from __future__ import annotations

import sys

from woocom.ci.run import main

sys.exit(main(sys.argv[1:]))
