"""Publisher of the built React frontend to the site bucket behind CloudFront.

`python -m frontend_deploy <env> [--build-dir dist]` (what `nox -s frontend` runs).
Uploads only what changed by content, in a safe order (index.html last), writes
`config.json` from the stack outputs, deletes stale files after a grace period
and invalidates exactly the changed unhashed paths.

It depends on the tooling package `woocom` on purpose, for four things and no
others (a test holds it to that): the stack outputs (`woocom.outputs`: the one
reader of `.woocom/outputs/<env>.json`), the repository paths (`woocom.paths`),
the names of deploy targets (`woocom.deploy.environments`, so a typo gets
the same "did you mean" as `nox -s plan`) and the emulators' region and dummy
credentials (`woocom.emulated`). Both ship in one wheel
(pyproject.toml), so the publisher never runs without them.
"""
