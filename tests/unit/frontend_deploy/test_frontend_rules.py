"""Content types, cache rules and the rules file: the headers a browser will get."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontend_deploy import rules as rules_module
from frontend_deploy.build import run_build, scan
from frontend_deploy.errors import PublishError
from frontend_deploy.rules import ConfigError, Rules, glob_to_regex, load_rules

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    ("key", "content_type"),
    [
        ("assets/app-B3x_k9Qa.js", "text/javascript; charset=utf-8"),
        ("assets/worker-B3x_k9Qa.mjs", "text/javascript; charset=utf-8"),
        ("assets/app-B3x_k9Qa.css", "text/css; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("data/config.json", "application/json; charset=utf-8"),
        ("assets/app-B3x_k9Qa.js.map", "application/json; charset=utf-8"),
        ("logo.svg", "image/svg+xml; charset=utf-8"),
        ("logo.png", "image/png"),
        ("photo.jpg", "image/jpeg"),
        ("photo.JPEG", "image/jpeg"),
        ("photo.webp", "image/webp"),
        ("photo.avif", "image/avif"),
        ("favicon.ico", "image/x-icon"),
        ("font.woff", "font/woff"),
        ("font.woff2", "font/woff2"),
        ("font.ttf", "font/ttf"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("manifest.webmanifest", "application/manifest+json; charset=utf-8"),
        ("assets/engine-B3x_k9Qa.wasm", "application/wasm"),
        ("LICENSE", "application/octet-stream"),
    ],
)
def test_content_type_for_every_file_a_build_emits(
    rules: Rules, key: str, content_type: str
) -> None:
    assert rules.content_type(key) == content_type


@pytest.mark.parametrize(
    ("key", "cache_control", "hashed"),
    [
        ("index.html", "no-cache", False),
        ("about/index.html", "no-cache", False),
        ("assets/index-B3x_k9Qa.js", IMMUTABLE, True),  # Vite
        ("assets/index-B3x_k9Qa.js.map", IMMUTABLE, True),
        ("assets/Inter-Bold-Zx81_qPw.woff2", IMMUTABLE, True),
        ("static/js/main.3f2a1b9c.chunk.js", IMMUTABLE, True),  # Create React App
        ("static/media/logo.5d5d9eef.svg", IMMUTABLE, True),
        ("sw.3f2a1b9c.js", IMMUTABLE, True),  # webpack hex hash at the root
        ("assets/some-template.js", "no-cache", False),  # a word, not a hash
        ("android-chrome-192x192.png", "no-cache", False),
        ("icon-1024x1024.png", "no-cache", False),
        ("Inter-SemiBold.woff2", "no-cache", False),
        ("sw.js", "no-cache", False),
        ("robots.txt", "no-cache", False),
    ],
)
def test_cache_rules_tell_hashed_assets_from_entry_files(
    rules: Rules, key: str, cache_control: str, hashed: bool
) -> None:
    rule = rules.cache_rule(key)
    assert (rule.cache_control, rule.hashed) == (cache_control, hashed)


@pytest.mark.parametrize(
    ("glob", "matches", "misses"),
    [
        ("*.txt", ["a.txt"], ["docs/a.txt"]),
        ("**/*.html", ["index.html", "a/b/c.html"], ["a.htm"]),
        ("{assets,static}/**", ["assets/x.js", "static/js/y.js"], ["other/x.js", "assets"]),
        ("docs/?.md", ["docs/a.md"], ["docs/ab.md", "docs/a/b.md"]),
    ],
)
def test_globs(glob: str, matches: list[str], misses: list[str]) -> None:
    pattern = glob_to_regex(glob)
    assert all(pattern.fullmatch(key) for key in matches)
    assert not any(pattern.fullmatch(key) for key in misses)


def test_override_file_replaces_only_the_keys_it_sets(tmp_path: Path) -> None:
    config = tmp_path / "frontend.toml"
    config.write_text(
        'grace_releases = 3\n[content_types]\n".txt" = "text/plain; charset=iso-8859-1"\n'
        '[[cache]]\nmatch = "**"\ncache_control = "max-age=60"\n'
    )

    rules, sources = load_rules(config)

    assert sources[-1] == config
    assert rules.grace_releases == 3
    assert rules.max_deletes == 100  # untouched default
    assert rules.content_type("a.txt") == "text/plain; charset=iso-8859-1"
    assert rules.content_type("a.css") == "text/css; charset=utf-8"
    assert rules.cache_rule("index.html").cache_control == "max-age=60"


def test_repository_level_file_is_used_when_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_config = tmp_path / "frontend.toml"
    repo_config.write_text("workers = 3\n")
    monkeypatch.setattr(rules_module, "REPO_CONFIG", repo_config)

    rules, sources = load_rules()

    assert rules.workers == 3
    assert sources == [rules_module.DEFAULT_CONFIG, repo_config]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grace_releases = -1\n", "grace_releases: Input should be greater than or equal to 0"),
        ("[content_types]\njs = 'text/javascript'\n", "extension 'js' must look like '.js'"),
        ("[[cache]]\nmatch = '**'\ncache_control = 'x'\nname_regex = '('\n", "not a valid regex"),
        ("colour = 'blue'\n", "colour: Extra inputs are not permitted"),
        ("grace_releases = \n", "not valid TOML"),
    ],
)
def test_bad_rules_file_names_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "frontend.toml"
    config.write_text(text)

    with pytest.raises(ConfigError, match=str(config)) as caught:
        load_rules(config)
    assert message in str(caught.value)


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_rules(tmp_path / "nope.toml")


def test_rules_without_a_catch_all_say_how_to_fix_it(tmp_path: Path) -> None:
    config = tmp_path / "frontend.toml"
    config.write_text('[[cache]]\nmatch = "*.html"\ncache_control = "no-cache"\n')
    rules, _ = load_rules(config)

    with pytest.raises(
        ConfigError, match="end the \\[\\[cache\\]\\] list with a rule for '\\*\\*'"
    ):
        rules.cache_rule("robots.txt")


def test_excluded_files_are_not_published(tmp_path: Path, rules: Rules) -> None:
    build = tmp_path / "dist"
    (build / "assets").mkdir(parents=True)
    (build / "index.html").write_text("<p>")
    (build / ".DS_Store").write_bytes(b"junk")
    (build / "assets" / ".DS_Store").write_bytes(b"junk")

    assert [f.key for f in scan(build, rules)] == ["index.html"]


def test_build_command_failure_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="build command not found: 'no-such-tool-xyz'"):
        run_build("no-such-tool-xyz --prod", "staging")
    with pytest.raises(PublishError, match="--build-cmd is empty"):
        run_build("  ", "staging")
