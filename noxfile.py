"""WooCom platform sessions. Each one is a few lines; the logic lives in `woocom`.

Bare `nox` runs what CI runs: lint, test (unit + integration on the local
emulator), validate (Terraform, offline) and iam (every IAM document, proven offline).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "test", "validate", "iam"]
nox.options.error_on_external_run = True

PYTHON = "3.11"
DEV_LOCK = "requirements/dev.txt"


def _uv_beside_nox() -> None:
    """`.venv/bin/nox` from a bootstrap venv that is not activated: let sessions find its uv.

    nox finds that uv itself, but the commands sessions run (the packager, checkov's
    installer) look uv up on PATH; the bootstrap installs it beside nox.
    """
    if shutil.which("uv") is None:
        scripts = Path(sys.executable).parent
        if shutil.which("uv", path=str(scripts)):
            os.environ["PATH"] = f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"


_uv_beside_nox()


def install(session: nox.Session, *extra: str) -> None:
    """The hash-locked tooling plus this repository, editable."""
    session.install("--require-hashes", "-r", DEV_LOCK, *extra)
    session.install("--no-deps", "-e", ".")


def woocom(session: nox.Session, command: str) -> None:
    """Install, then `python -m woocom <command> <posargs>`: most sessions are just this."""
    install(session)
    session.run("python", "-m", "woocom", command, *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff, mypy --strict, and the workflow checks: locks per runner, zizmor, actionlint."""
    install(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "src", "functions", "frontend_deploy")
    session.run("python", "-m", "woocom.ci", *session.posargs)


@nox.session(python=PYTHON)
def test(session: nox.Session) -> None:
    """Unit + integration tests (integration on `--target local` unless told otherwise)."""
    install(session)
    session.run(
        "pytest",
        "--cov",
        "--cov-report=term-missing:skip-covered",
        "--cov-report=xml",
        "tests/unit",
        "tests/integration",
        *session.posargs,
    )


@nox.session(python=PYTHON)
def config(session: nox.Session) -> None:
    """Validate stack.yaml and print its functions and triggers."""
    woocom(session, "check")


# Ctrl-C reaches nox and the stack together; nox then waits this long before its own SIGTERM
# (to the stack, a second signal: quit without stopping its threads) and SIGKILL. The
# stack's stop is bounded well below it (woocom.local.threads.STOP_TIMEOUT).
DEV_STOP_SECONDS = 30


@nox.session(python=PYTHON)
def dev(session: nox.Session) -> None:
    """Run the whole platform locally on the embedded emulator (Ctrl-C to stop)."""
    install(session)
    # --stop-with-parent: a SIGTERM kills nox without passing it on; the stack then stops too.
    session.run(
        "python",
        "-m",
        "woocom",
        "dev",
        "--stop-with-parent",
        *session.posargs,
        interrupt_timeout=DEV_STOP_SECONDS,
    )


@nox.session(python=PYTHON)
def invoke(session: nox.Session) -> None:
    """Run one function once against the local stack: `nox -s invoke -- expire_orders`."""
    woocom(session, "invoke")


@nox.session(python=PYTHON)
def logs(session: nox.Session) -> None:
    """One function's log lines: `nox -s logs -- staging catalog_api --since 10m --follow`."""
    install(session)
    session.run("python", "-m", "woocom.ops.logs", *session.posargs)


@nox.session(python=PYTHON)
def validate(session: nox.Session) -> None:
    """Terraform fmt, init, validate, test and checkov, offline; then prove the gate bites."""
    woocom(session, "validate")
    session.run("pytest", "tests/terraform")


@nox.session(python=PYTHON)
def iam(session: nox.Session) -> None:
    """Render every IAM document to .woocom/iam/<account>/ and prove what it allows, offline."""
    woocom(session, "iam")
    session.run("pytest", "tests/unit/iam", "-q")


@nox.session(python=PYTHON)
def provider_schema(session: nox.Session) -> None:
    """Regenerate src/woocom/tf/aws_schema.json.gz from the pinned cdktn-provider-aws."""
    install(session)
    session.install("--no-deps", "--require-hashes", "-r", "requirements/provider-schema.txt")
    session.run("python", "-m", "woocom", "provider-schema", *session.posargs)


@nox.session(python=PYTHON)
def package(session: nox.Session) -> None:
    """Build one reproducible zip per function into .woocom/build."""
    woocom(session, "package")


@nox.session(python=PYTHON)
def plan(session: nox.Session) -> None:
    """Plan an environment: `nox -s plan -- staging`."""
    woocom(session, "plan")


@nox.session(python=PYTHON)
def deploy(session: nox.Session) -> None:
    """Plan and apply an environment: `nox -s deploy -- staging`."""
    woocom(session, "deploy")


@nox.session(python=PYTHON)
def destroy(session: nox.Session) -> None:
    """Destroy a preview or developer stack: `nox -s destroy -- dev-alice`."""
    woocom(session, "destroy")


@nox.session(python=PYTHON)
def smoke(session: nox.Session) -> None:
    """Check a deployed target's site and API answer: `nox -s smoke -- staging`."""
    install(session)
    session.run("python", "-m", "woocom.deploy.smoke", *session.posargs)


@nox.session(python=PYTHON)
def integration(session: nox.Session) -> None:
    """The integration suite's non-destructive tests against a deployed target."""
    install(session)
    target, *rest = session.posargs or ["local"]
    session.run("pytest", "tests/integration", f"--target={target}", "-m", "not destructive", *rest)


@nox.session(python=PYTHON)
def sweep(session: nox.Session) -> None:
    """Destroy previews and developer stacks past their TTL (dry run without --apply)."""
    install(session)
    session.run("python", "-m", "woocom.deploy.sweeper", *session.posargs)


@nox.session(python=PYTHON)
def frontend(session: nox.Session) -> None:
    """Publish a frontend: `nox -s frontend -- staging [--build-dir dist]` (default: example)."""
    install(session)
    # nox runs in the repository root: relative paths and --build-cmd follow where you typed it.
    workdir = session.invoked_from or "."
    session.run("python", "-m", "frontend_deploy", "--workdir", workdir, *session.posargs)


@nox.session(python=PYTHON)
def client(session: nox.Session) -> None:
    """OpenAPI document + generated TypeScript types + typed fetch wrapper: `-- --out DIR`."""
    install(session)
    session.run("python", "-m", "woocom.client", *session.posargs)


@nox.session(python=PYTHON)
def canary(session: nox.Session) -> None:
    """The storefront render check in headless Chromium: `nox -s canary -- local`."""
    install(session)
    session.run("python", "-m", "woocom.canary", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Run the benchmarks; results go to benchmarks/results.json and the terminal."""
    woocom(session, "bench")
