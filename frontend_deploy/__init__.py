"""Publisher of the built React frontend to the site bucket behind CloudFront.

`python -m frontend_deploy <env> --build-dir dist` (what `nox -s frontend` runs).
Uploads only what changed by content, in a safe order (index.html last), deletes
stale files after a grace period and invalidates exactly the changed unhashed paths.
"""
