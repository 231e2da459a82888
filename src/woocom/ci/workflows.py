"""GitHub workflows read as data: jobs, runners, steps, and what the steps name.

Only what the checks in `woocom.ci.checks` need is modelled; the YAML stays the
source of truth and GitHub's own schema is actionlint's business.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from woocom.paths import REPO_ROOT

WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
NOXFILE = REPO_ROOT / "noxfile.py"

_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
_SHELL_VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


class WorkflowError(ValueError):
    """A workflow file cannot be read as a workflow; the message names the file."""


@dataclass(frozen=True)
class Step:
    index: int
    name: str
    uses: str | None
    run: str | None
    inputs: Mapping[str, str]

    def commands(self) -> Iterator[list[str]]:
        """Each shell command of `run`, split into words (continuations joined)."""
        if not self.run:
            return
        script = self.run.replace("\\\n", " ")
        for line in script.splitlines():
            line = line.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            for part in re.split(r"\s*(?:&&|\|\||;|\|)\s*", line):
                try:
                    words = shlex.split(part)
                except ValueError:
                    words = part.split()
                if words:
                    yield words


@dataclass(frozen=True)
class Job:
    workflow: str
    id: str
    runs_on: tuple[str, ...]
    needs: tuple[str, ...]
    steps: tuple[Step, ...]
    calls: str | None  # `uses:` of a job that calls a reusable workflow
    environment: str | None = None
    condition: str = ""  # the job's `if:`

    @property
    def python_versions(self) -> tuple[str, ...]:
        """The versions actions/setup-python installs in this job, in order."""
        versions: list[str] = []
        for step in self.steps:
            if step.uses and step.uses.split("@")[0] == "actions/setup-python":
                raw = step.inputs.get("python-version", "")
                versions += [v.strip() for v in raw.split() if v.strip()]
        return tuple(versions)

    def where(self, step: Step | None = None) -> str:
        place = f"{self.workflow} job {self.id}"
        return f"{place} step {step.index + 1} ({step.name})" if step else place


@dataclass(frozen=True)
class Workflow:
    path: Path
    text: str
    data: Mapping[str, Any]
    jobs: tuple[Job, ...]

    @property
    def name(self) -> str:
        return self.path.name


def _as_text(value: object) -> str:
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _environment_name(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return None if value is None else str(value)


def load_workflow(path: Path) -> Workflow:
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise WorkflowError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict):
        raise WorkflowError(f"{path}: a workflow needs a `jobs:` mapping")
    jobs = []
    for job_id, body in data["jobs"].items():
        if not isinstance(body, dict):
            raise WorkflowError(f"{path}: job {job_id} is not a mapping")
        runs_on = body.get("runs-on", ())
        labels = (runs_on,) if isinstance(runs_on, str) else tuple(map(str, runs_on or ()))
        needs = body.get("needs", ())
        steps = []
        for index, raw in enumerate(body.get("steps") or ()):
            inputs = {str(k): _as_text(v) for k, v in (raw.get("with") or {}).items()}
            uses = raw.get("uses")
            run = None if raw.get("run") is None else _as_text(raw["run"])
            label = raw.get("name") or uses or next(iter((run or "").splitlines()), "")
            steps.append(Step(index, str(label), uses, run, inputs))
        jobs.append(
            Job(
                workflow=path.name,
                id=str(job_id),
                runs_on=labels,
                needs=(needs,) if isinstance(needs, str) else tuple(needs),
                steps=tuple(steps),
                calls=body.get("uses"),
                environment=_environment_name(body.get("environment")),
                condition=_as_text(body.get("if")),
            )
        )
    return Workflow(path, text, data, tuple(jobs))


def load_workflows(directory: Path = WORKFLOWS_DIR) -> list[Workflow]:
    paths = sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])
    return [load_workflow(path) for path in paths]


# --- nox invocations ---------------------------------------------------------------------


@dataclass(frozen=True)
class NoxCall:
    sessions: tuple[str, ...]  # empty: the noxfile's default sessions
    posargs: tuple[str, ...]


def nox_calls(words: list[str]) -> NoxCall | None:
    """`nox -s a b -- x` (also `python -m nox`, `--session(s)`, `-s=a`) as sessions + posargs."""
    if words[:1] == [".ci/run"] or words[:1] == ["./.ci/run"]:
        return NoxCall((), ())
    if words[:1] == ["nox"]:
        rest = words[1:]
    elif len(words) >= 3 and words[1:3] == ["-m", "nox"]:
        rest = words[3:]
    else:
        return None
    posargs: tuple[str, ...] = ()
    if "--" in rest:
        cut = rest.index("--")
        rest, posargs = rest[:cut], tuple(rest[cut + 1 :])
    sessions: list[str] = []
    collecting = False
    for word in rest:
        flag, _, inline = word.partition("=")
        if flag in ("-s", "--session", "--sessions", "-e"):
            collecting = True
            if inline:
                sessions.append(inline)
            continue
        if word.startswith("-"):
            collecting = False
        elif collecting:
            sessions.append(word)
    return NoxCall(tuple(sessions), posargs)


@dataclass(frozen=True)
class NoxFile:
    sessions: Mapping[str, str]  # name -> Python version
    default: tuple[str, ...]


def read_noxfile(path: Path = NOXFILE) -> NoxFile:
    """Sessions and their Python, from the noxfile's AST (nox itself is not in the dev venv)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    constants: dict[str, object] = {}
    default: tuple[str, ...] = ()
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if isinstance(target, ast.Name):
                constants[target.id] = value
            elif ast.unparse(target) == "nox.options.sessions" and isinstance(value, list):
                default = tuple(map(str, value))
    sessions: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            func = call.func if call else decorator
            if ast.unparse(func) not in ("nox.session", "session"):
                continue
            keywords = {k.arg: k.value for k in call.keywords} if call else {}
            name, python = node.name, ""
            name_node = keywords.get("name")
            if isinstance(name_node, ast.Constant):
                name = str(name_node.value)
            python_node = keywords.get("python")
            if isinstance(python_node, ast.Constant):
                python = str(python_node.value)
            elif isinstance(python_node, ast.Name):
                python = str(constants.get(python_node.id, ""))
            sessions[name] = python
    return NoxFile(sessions, default)


def placeholders_to_glob(text: str) -> str:
    """`.woocom/outputs/${{ env.T }}.json` / `$TARGET` -> `.woocom/outputs/*.json`."""
    return _SHELL_VARIABLE.sub("*", _EXPRESSION.sub("*", text))
