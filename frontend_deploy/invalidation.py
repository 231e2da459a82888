"""CloudFront invalidation paths: exactly what changed, collapsed when there are many.

CloudFront bills each invalidation path (beyond a monthly free allowance) and
counts a wildcard as one path, so past a limit the paths are folded into folder
wildcards, deepest folders first, down to `/*`.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from frontend_deploy.build import ENTRY_DOCUMENT


def paths_for_keys(keys: Iterable[str]) -> list[str]:
    """Viewer paths of the objects; the root document is also cached under `/`."""
    paths: set[str] = set()
    for key in keys:
        paths.add("/" + quote(key, safe="/-_.~"))
        if key == ENTRY_DOCUMENT:
            paths.add("/")
    return sorted(paths)


def collapse(paths: list[str], limit: int) -> list[str]:
    """At most `limit` paths covering every one of `paths`."""
    if len(paths) <= limit:
        return sorted(paths)
    deepest = max(path.count("/") for path in paths)
    # keep_dirs = how many leading folders a wildcard keeps; fewer covers more.
    for keep_dirs in range(deepest - 1, 0, -1):
        folded = sorted({_fold(path, keep_dirs) for path in paths})
        if len(folded) <= limit:
            return folded
    return ["/*"]


def _fold(path: str, keep_dirs: int) -> str:
    folders = path.strip("/").split("/")[:-1]
    if len(folders) >= keep_dirs:
        return "/" + "".join(f"{folder}/" for folder in folders[:keep_dirs]) + "*"
    return path
