"""Publishing rules: Content-Type, Cache-Control and the limits of a run.

The defaults ship in `defaults.toml` next to this module; a repository-level
`frontend.toml` or `--config FILE` overrides them key by key. Content types
come from our own table, never from the OS `mimetypes` database, which differs
between Linux distributions, macOS and Windows.
"""

from __future__ import annotations

import re
import tomllib
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from frontend_deploy.errors import PublishError
from woocom.paths import REPO_ROOT

DEFAULT_CONFIG = Path(__file__).with_name("defaults.toml")
REPO_CONFIG = REPO_ROOT / "frontend.toml"

_UTF8 = "; charset=utf-8"

# What a modern build (Vite, webpack, CRA) emits. Text types carry a charset so
# that browsers never guess; JavaScript is text/javascript (RFC 9239).
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html" + _UTF8,
    ".htm": "text/html" + _UTF8,
    ".js": "text/javascript" + _UTF8,
    ".mjs": "text/javascript" + _UTF8,
    ".cjs": "text/javascript" + _UTF8,
    ".css": "text/css" + _UTF8,
    ".json": "application/json" + _UTF8,
    ".map": "application/json" + _UTF8,
    ".webmanifest": "application/manifest+json" + _UTF8,
    ".txt": "text/plain" + _UTF8,
    ".xml": "application/xml" + _UTF8,
    ".csv": "text/csv" + _UTF8,
    ".md": "text/markdown" + _UTF8,
    ".svg": "image/svg+xml" + _UTF8,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".bmp": "image/bmp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    # WebAssembly.instantiateStreaming refuses any other type.
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
}
FALLBACK_CONTENT_TYPE = "application/octet-stream"


class ConfigError(PublishError):
    """The rules file is unreadable or invalid; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CacheRule(_Strict):
    match: str = Field(description="glob on the object key; * within a folder, ** across")
    name_regex: str | None = Field(default=None, description="must also match the file name")
    cache_control: str
    hashed: bool = Field(default=False, description="the name changes whenever the content does")

    @field_validator("name_regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"name_regex {value!r} is not a valid regex: {exc}") from None
        return value

    @cached_property
    def _key_pattern(self) -> re.Pattern[str]:
        return glob_to_regex(self.match)

    def applies_to(self, key: str) -> bool:
        if not self._key_pattern.fullmatch(key):
            return False
        name = PurePosixPath(key).name
        return self.name_regex is None or re.search(self.name_regex, name) is not None


class Rules(_Strict):
    cache: list[CacheRule] = Field(min_length=1)
    content_types: dict[str, str] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list)
    grace_releases: int = Field(default=1, ge=0)
    max_deletes: int = Field(default=100, ge=0)
    max_invalidation_paths: int = Field(default=10, ge=1, le=3000)
    workers: int = Field(default=16, ge=1, le=64)

    @field_validator("content_types")
    @classmethod
    def _extensions(cls, value: dict[str, str]) -> dict[str, str]:
        for extension in value:
            if not re.fullmatch(r"\.[a-z0-9]+", extension):
                raise ValueError(f"extension {extension!r} must look like '.js' (lowercase)")
        return value

    @cached_property
    def _excluded(self) -> list[re.Pattern[str]]:
        return [glob_to_regex(pattern) for pattern in self.exclude]

    def is_excluded(self, key: str) -> bool:
        return any(pattern.fullmatch(key) for pattern in self._excluded)

    def content_type(self, key: str) -> str:
        suffix = PurePosixPath(key).suffix.lower()
        return self.content_types.get(suffix) or CONTENT_TYPES.get(suffix, FALLBACK_CONTENT_TYPE)

    def cache_rule(self, key: str) -> CacheRule:
        for rule in self.cache:
            if rule.applies_to(key):
                return rule
        raise ConfigError(
            f"no cache rule matches {key!r}: end the [[cache]] list with a rule for '**'"
        )


def load_rules(path: Path | None = None) -> tuple[Rules, list[Path]]:
    """The defaults overridden by `path` (or by the repository's frontend.toml if present).

    Returns the rules and the files they came from, for the summary.
    """
    sources = [DEFAULT_CONFIG]
    override = path or (REPO_CONFIG if REPO_CONFIG.is_file() else None)
    merged = _read(DEFAULT_CONFIG)
    if override is not None:
        merged.update(_read(override))
        sources.append(override)
    try:
        return Rules.model_validate(merged), sources
    except ValidationError as exc:
        where = override or DEFAULT_CONFIG
        problems = "\n".join(
            f"  - {'.'.join(map(str, err['loc']))}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ConfigError(f"{where}: invalid publishing rules:\n{problems}") from None


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"rules file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def glob_to_regex(glob: str) -> re.Pattern[str]:
    """`*` and `?` stay within one folder, `**` crosses folders, `{a,b}` is a choice."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "{" and (end := glob.find("}", i)) != -1:
            choices = glob[i + 1 : end].split(",")
            out.append("(?:" + "|".join(re.escape(choice) for choice in choices) + ")")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out))
