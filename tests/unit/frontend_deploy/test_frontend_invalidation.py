"""Invalidation paths: exact while few, folded into wildcards when many."""

from __future__ import annotations

from frontend_deploy.invalidation import collapse, paths_for_keys


def test_root_document_is_invalidated_under_slash_too() -> None:
    assert paths_for_keys(["index.html", "robots.txt"]) == ["/", "/index.html", "/robots.txt"]


def test_keys_are_url_encoded() -> None:
    assert paths_for_keys(["docs/a b+c.html"]) == ["/docs/a%20b%2Bc.html"]


def test_few_paths_stay_exact() -> None:
    paths = ["/", "/index.html", "/docs/a.html"]
    assert collapse(paths, limit=3) == sorted(paths)


def test_deepest_folders_fold_first() -> None:
    paths = [
        "/index.html",
        "/",
        *(f"/docs/guide/{i}.html" for i in range(5)),
        *(f"/docs/api/{i}.html" for i in range(5)),
        "/docs/intro.html",
    ]

    assert collapse(paths, limit=5) == [
        "/",
        "/docs/api/*",
        "/docs/guide/*",
        "/docs/intro.html",
        "/index.html",
    ]
    assert collapse(paths, limit=3) == ["/", "/docs/*", "/index.html"]


def test_too_many_at_the_root_become_one_wildcard() -> None:
    paths = [f"/page-{i}.html" for i in range(20)]

    assert collapse(paths, limit=10) == ["/*"]
