"""The checks `nox -s lint` runs on .github/workflows, each returning its findings.

- sessions: every `nox -s <session>` a step runs is a session of noxfile.py;
- files:    every `.woocom/...` path a step reads was produced by an earlier step of
            the job (a nox session, a download of an artifact, a redirect), and every
            artifact a job downloads is uploaded by a job it needs (or, with run-id,
            by some workflow);
- secrets:  every `secrets.X` / `vars.X` is a row of the README's CI/CD setup table;
- pinned:   every `uses:` names a full commit SHA with its version in a comment;
- main-only: every job bound to a GitHub environment other than `preview` runs only
            when `github.ref` is main (set by GitHub, not read from the checked-out tree);
- hashes:   every lock file carries hashes and every `pip install -r` uses --require-hashes;
- locks:    every lock a job installs resolves for its runner's platform and Python.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from woocom.ci.workflows import Job, NoxFile, Step, Workflow, nox_calls, placeholders_to_glob
from woocom.paths import REPO_ROOT

README = REPO_ROOT / "README.md"
DEV_LOCK = "requirements/dev.txt"
LOCK_FILES = (
    "requirements/bootstrap.txt",
    DEV_LOCK,
    "requirements/checkov.txt",
    "requirements/provider-schema.txt",
    "functions/requirements.txt",
)


@dataclass(frozen=True)
class Finding:
    check: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.where}: {self.message}"


# --- runners -------------------------------------------------------------------------


@dataclass(frozen=True)
class Runner:
    """A GitHub-hosted runner image: the wheel platform uv resolves for, its own Python."""

    platform: str
    system_python: str


# The runner labels workflows may use (also listed in .github/actionlint.yaml, whose
# bundled label list predates them). Ubuntu 24.04 ships glibc 2.39 and Python 3.12.
RUNNERS: Mapping[str, Runner] = {
    "ubuntu-24.04": Runner("x86_64-manylinux_2_39", "3.12"),
    "ubuntu-24.04-arm": Runner("aarch64-manylinux_2_39", "3.12"),
}

# What a session installs beyond the dev lock, with the Python it installs it for
# ("" = the session's own). The packager installs the functions' lock for each
# Lambda target, whatever the runner: that platform comes from stack.yaml.
SESSION_LOCKS: Mapping[str, tuple[str, ...]] = {
    "validate": ("requirements/checkov.txt",),
    "provider_schema": ("requirements/provider-schema.txt",),
}
BOOTSTRAP_LOCK = "requirements/bootstrap.txt"


@dataclass(frozen=True)
class Install:
    """One lock installed for one platform and Python, and the step that does it."""

    lock: str
    platform: str
    python: str
    where: str


def lambda_targets(repo: Path = REPO_ROOT) -> set[tuple[str, str]]:
    """(uv platform, Python) of every function in stack.yaml."""
    from woocom.config import load_stack
    from woocom.packaging import Target

    stack = load_stack(repo / "stack.yaml")
    targets = (Target(stack.runtime(name), stack.architecture(name)) for name in stack.functions)
    return {(target.uv_platform, target.python_version) for target in targets}


def _pip_install_locks(words: list[str]) -> list[str] | None:
    """The `-r` files of a `pip install` / `uv pip install`, or None if it is not one."""
    joined = " ".join(words)
    if not re.search(r"\bpip3? install\b", joined):
        return None
    return [words[i + 1] for i, word in enumerate(words[:-1]) if word in ("-r", "--requirement")]


def installs(
    job: Job, noxfile: NoxFile, targets: Iterable[tuple[str, str]]
) -> tuple[list[Install], list[Finding]]:
    """Every (lock, platform, Python) a job installs, from its steps."""
    findings: list[Finding] = []
    labels = [label for label in job.runs_on if label in RUNNERS]
    if job.calls:
        return [], []
    if not labels:
        findings.append(
            Finding(
                "locks",
                job.where(),
                f"runs-on {list(job.runs_on)} is not a known runner ({', '.join(RUNNERS)}): "
                "add it to woocom.ci.checks.RUNNERS with its platform",
            )
        )
        return [], findings
    runner = RUNNERS[labels[0]]
    pythons = job.python_versions or (runner.system_python,)
    result: list[Install] = []

    def add(lock: str, where: str, versions: Iterable[str], platform: str = "") -> None:
        for version in versions:
            result.append(Install(lock, platform or runner.platform, version, where))

    for step in job.steps:
        where = job.where(step)
        for words in step.commands():
            locks = _pip_install_locks(words)
            if locks is not None:
                for lock in locks:
                    add(lock, where, pythons)
                continue
            call = nox_calls(words)
            if call is None:
                continue
            if words[0].endswith(".ci/run"):
                add(BOOTSTRAP_LOCK, where, ["3"] if not job.python_versions else pythons)
            sessions = call.sessions or noxfile.default
            for session in sessions:
                python = noxfile.sessions.get(session)
                if python is None:
                    continue  # reported by check_sessions
                add(DEV_LOCK, where, [python])
                for lock in SESSION_LOCKS.get(session, ()):
                    add(lock, where, [python])
                if session in ("package", "deploy", "plan", "destroy"):
                    for platform, version in targets:
                        add("functions/requirements.txt", where, [version], platform)
    # `python3` on the runner is the last version setup-python installed.
    return [
        i if i.python != "3" else Install(i.lock, i.platform, pythons[-1], i.where) for i in result
    ], findings


Resolver = Callable[[Path, str, str], str | None]


def check_locks(
    workflows: Sequence[Workflow],
    noxfile: NoxFile,
    resolve: Resolver,
    targets: Iterable[tuple[str, str]],
    repo: Path = REPO_ROOT,
) -> list[Finding]:
    """Each lock a job installs resolves for that job's runner (`resolve` returns the error)."""
    findings: list[Finding] = []
    wanted: dict[tuple[str, str, str], list[str]] = {}
    targets = list(targets)
    for workflow in workflows:
        for job in workflow.jobs:
            found, problems = installs(job, noxfile, targets)
            findings += problems
            for install in found:
                wanted.setdefault((install.lock, install.platform, install.python), []).append(
                    install.where
                )
    for (lock, platform, python), places in sorted(wanted.items()):
        path = repo / lock
        if not path.is_file():
            findings.append(Finding("locks", places[0], f"installs {lock}, which does not exist"))
            continue
        error = resolve(path, platform, python)
        if error:
            also = f" (and {len(places) - 1} more step(s))" if len(places) > 1 else ""
            findings.append(
                Finding(
                    "locks",
                    places[0] + also,
                    f"{lock} does not resolve for {platform} / Python {python}:\n{error}",
                )
            )
    return findings


# --- sessions ------------------------------------------------------------------------


def check_sessions(workflows: Sequence[Workflow], noxfile: NoxFile) -> list[Finding]:
    findings = []
    for workflow in workflows:
        for job in workflow.jobs:
            for step in job.steps:
                for words in step.commands():
                    call = nox_calls(words)
                    for session in call.sessions if call else ():
                        if session not in noxfile.sessions:
                            known = ", ".join(sorted(noxfile.sessions))
                            findings.append(
                                Finding(
                                    "sessions",
                                    job.where(step),
                                    f"`nox -s {session}`: noxfile.py has no such session "
                                    f"(sessions: {known})",
                                )
                            )
    return findings


# --- files ---------------------------------------------------------------------------

# What a session leaves in .woocom/ for later steps.
SESSION_PRODUCES: Mapping[str, tuple[str, ...]] = {
    "package": (".woocom/build/*",),
    "plan": (".woocom/build/*",),
    "deploy": (".woocom/build/*", ".woocom/outputs/*.json"),
    "test": ("coverage.xml",),
}
_STATE_PATH = re.compile(r"\.woocom/[A-Za-z0-9_.*/${}\-]*[A-Za-z0-9_*}]|\.woocom\b")
_WRITING_FLAGS = {"-o", "--out", "--output", "--summary-file"}
_WRITING_COMMANDS = {"mkdir", "touch"}  # every argument is written
_COPYING_COMMANDS = {"cp", "mv"}  # the last argument is written, the others read


def _paths(word: str) -> list[str]:
    return [placeholders_to_glob(found) for found in _STATE_PATH.findall(word)]


def _command_files(words: list[str]) -> tuple[list[str], list[str]]:
    """(.woocom paths read, paths written) by one shell command."""
    reads: list[str] = []
    writes: list[str] = []
    call = nox_calls(words)
    for session in call.sessions if call else ():
        writes += SESSION_PRODUCES.get(session, ())
    if words[0] == "rm":
        return [], []
    if words[0] in _WRITING_COMMANDS:
        return [], [p + "*" for word in words[1:] for p in _paths(word)]
    if words[0] in _COPYING_COMMANDS:
        *sources, target = words[1:]
        return [p for w in sources for p in _paths(w)], [p + "*" for p in _paths(target)]
    written_next = False
    for word in words:
        if written_next:
            writes += _paths(word)
            written_next = False
        elif word in (">", ">>") or word in _WRITING_FLAGS:
            written_next = True
        elif word.startswith(">"):
            writes += _paths(word)
        else:
            reads += _paths(word)
    return reads, writes


def _matches(read: str, produced: Iterable[str]) -> bool:
    concrete = read.replace("*", "X")
    return any(
        fnmatch.fnmatch(concrete, pattern) or fnmatch.fnmatch(concrete, pattern.rstrip("*") + "*")
        for pattern in produced
    )


def _step_files(step: Step, produced: list[str]) -> list[str]:
    """Paths the step reads that nothing before it produced; adds what it produces."""
    missing: list[str] = []
    action = step.uses.split("@")[0] if step.uses else ""
    if action == "actions/download-artifact":
        produced.append(placeholders_to_glob(step.inputs.get("path", ".").rstrip("/")) + "/*")
        return missing
    if action == "actions/upload-artifact":
        for line in step.inputs.get("path", "").splitlines():
            missing += [p for p in _paths(line.strip()) if not _matches(p, produced)]
        return missing
    for words in step.commands():
        reads, writes = _command_files(words)
        missing += [p for p in reads if not _matches(p, produced)]
        produced += writes
    return missing


def _artifacts(job: Job, action: str) -> list[tuple[Step, str]]:
    return [
        (step, step.inputs.get("name", ""))
        for step in job.steps
        if step.uses and step.uses.split("@")[0] == f"actions/{action}"
    ]


def _needed(workflow: Workflow, job: Job) -> set[str]:
    by_id = {j.id: j for j in workflow.jobs}
    seen: set[str] = set()
    pending = list(job.needs)
    while pending:
        current = pending.pop()
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        pending += by_id[current].needs
    return seen


def check_files(workflows: Sequence[Workflow]) -> list[Finding]:
    findings = []
    uploaded_anywhere = {
        name for w in workflows for j in w.jobs for _, name in _artifacts(j, "upload-artifact")
    }
    for workflow in workflows:
        by_id = {j.id: j for j in workflow.jobs}
        for job in workflow.jobs:
            produced: list[str] = []
            for step in job.steps:
                for read in dict.fromkeys(_step_files(step, produced)):
                    findings.append(
                        Finding(
                            "files",
                            job.where(step),
                            f"reads {read}, which no earlier step of the job produces",
                        )
                    )
            upstream = {
                name
                for needed in _needed(workflow, job)
                for _, name in _artifacts(by_id[needed], "upload-artifact")
            }
            for step, name in _artifacts(job, "download-artifact"):
                cross_run = bool(step.inputs.get("run-id"))
                if name and name not in (uploaded_anywhere if cross_run else upstream):
                    findings.append(
                        Finding(
                            "files",
                            job.where(step),
                            f"downloads artifact {name!r}, which "
                            + (
                                "no workflow uploads"
                                if cross_run
                                else "no job it needs uploads (add it to needs:)"
                            ),
                        )
                    )
    return findings


# --- secrets and variables -----------------------------------------------------------

_CONTEXT = re.compile(r"\b(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)")
_BUILT_IN = {"GITHUB_TOKEN"}


def documented_settings(readme: Path = README) -> set[str]:
    """Names in the `Name` column of the README's CI/CD setup table."""
    text = readme.read_text(encoding="utf-8")
    start = text.find("<!-- section:cicd -->")
    end = text.find("<!-- /section:cicd -->")
    if start < 0 or end < 0:
        return set()
    names: set[str] = set()
    column: int | None = None
    for line in text[start:end].splitlines():
        if not line.startswith("|"):
            column = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if column is None:
            column = next((i for i, c in enumerate(cells) if c.lower() == "name"), None)
            continue
        if column < len(cells):
            names.update(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", cells[column]))
    return names


def check_settings(workflows: Sequence[Workflow], documented: set[str]) -> list[Finding]:
    findings = []
    for workflow in workflows:
        for number, line in enumerate(workflow.text.splitlines(), start=1):
            for kind, name in _CONTEXT.findall(line):
                if name in _BUILT_IN or name in documented:
                    continue
                findings.append(
                    Finding(
                        "secrets",
                        f"{workflow.name}:{number}",
                        f"{kind}.{name} is not in the README's CI/CD setup table (`Name` "
                        "column): document where it is set and what it holds",
                    )
                )
    return findings


# --- main only -----------------------------------------------------------------------

# Pull requests deploy their own previews; every other environment is main's alone.
BRANCH_ENVIRONMENTS = frozenset({"preview"})
_ON_MAIN = re.compile(r"github\.ref\s*==\s*'refs/heads/main'")


def check_main_only(workflows: Sequence[Workflow]) -> list[Finding]:
    findings = []
    for workflow in workflows:
        for job in workflow.jobs:
            if job.environment is None or job.environment in BRANCH_ENVIRONMENTS:
                continue
            if not _ON_MAIN.search(job.condition):
                findings.append(
                    Finding(
                        "main-only",
                        job.where(),
                        f"uses environment {job.environment!r} without "
                        "`if: github.ref == 'refs/heads/main'`: a run from any branch (e.g. "
                        "workflow_dispatch) would reach it; a guard inside the checked-out "
                        "tree is that branch's to change",
                    )
                )
    return findings


# --- pinned actions ------------------------------------------------------------------

_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?:#\s*(?P<comment>.*))?$")
_SHA = re.compile(r"@[0-9a-f]{40}$")
_VERSION = re.compile(r"\bv?\d+(\.\d+)*\b")


def check_pinned(workflows: Sequence[Workflow]) -> list[Finding]:
    findings = []
    for workflow in workflows:
        for number, line in enumerate(workflow.text.splitlines(), start=1):
            match = _USES.match(line)
            if not match or match["ref"].startswith(("./", "docker://")):
                continue
            ref, comment = match["ref"], match["comment"] or ""
            if not _SHA.search(ref):
                findings.append(
                    Finding(
                        "pinned",
                        f"{workflow.name}:{number}",
                        f"{ref} is not pinned to a full commit SHA: a tag can be moved to "
                        "other code; use owner/repo@<40-hex sha> # vX.Y.Z",
                    )
                )
            elif not _VERSION.search(comment):
                findings.append(
                    Finding(
                        "pinned",
                        f"{workflow.name}:{number}",
                        f"{ref} has no version comment (# vX.Y.Z): say which release the SHA is",
                    )
                )
    return findings


# --- hashes --------------------------------------------------------------------------

_PIN = re.compile(r"^[A-Za-z0-9_.\[\],-]+==[^\s;\\]+")


def unhashed_pins(lock: Path) -> list[str]:
    """`name==version` requirements of a lock that carry no --hash."""
    logical = lock.read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    return [pin[0] for line in logical if (pin := _PIN.match(line)) and "--hash=" not in line]


def check_hashes(
    workflows: Sequence[Workflow], locks: Iterable[str] = LOCK_FILES, repo: Path = REPO_ROOT
) -> list[Finding]:
    findings = []
    for lock in locks:
        missing = unhashed_pins(repo / lock)
        if missing:
            findings.append(
                Finding(
                    "hashes",
                    lock,
                    f"{len(missing)} pin(s) without --hash ({', '.join(missing[:5])}): "
                    "recompile with --generate-hashes (the command is in its .in file)",
                )
            )
    scripts: list[tuple[str, list[list[str]]]] = [
        (job.where(step), list(step.commands()))
        for workflow in workflows
        for job in workflow.jobs
        for step in job.steps
    ]
    ci_run = repo / ".ci" / "run"
    if ci_run.is_file():
        scripts.append(
            (".ci/run", list(Step(0, "", None, ci_run.read_text(encoding="utf-8"), {}).commands()))
        )
    for where, commands in scripts:
        for words in commands:
            if _pip_install_locks(words) and "--require-hashes" not in words:
                findings.append(
                    Finding(
                        "hashes",
                        where,
                        f"`{' '.join(words)}` installs a lock without --require-hashes",
                    )
                )
    return findings
