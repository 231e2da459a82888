"""config.json from the stack outputs, target names, --workdir and the example build."""

from __future__ import annotations

import ast
import json
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from site_helpers import BUCKET, VITE_BUILD, stored, write_build

from frontend_deploy import example
from frontend_deploy.cli import main
from frontend_deploy.runtime_config import runtime_config
from woocom.paths import REPO_ROOT

API = "https://abc123.execute-api.eu-west-1.amazonaws.com/api"
POOL = {"user_pool_id": "eu-west-1_AbC", "user_pool_client_id": "client42"}


def write_outputs(path: Path, target: str, **outputs: Any) -> Path:
    path.write_text(json.dumps({"target": target, "site_bucket": BUCKET, **outputs}))
    return path


def test_behind_cloudfront_the_api_is_a_path_on_the_site_origin() -> None:
    config = runtime_config(
        "staging", {"api_url": API, "distribution_id": "E1", "region": "eu-west-1", **POOL}
    )
    assert config == {
        "environment": "staging",
        "api_base_url": "/api",
        "cognito": {
            "region": "eu-west-1",
            "user_pool_id": "eu-west-1_AbC",
            "client_id": "client42",
            "endpoint": None,
        },
    }


def test_without_a_cdn_the_api_is_its_absolute_url_and_no_pool_means_no_cognito() -> None:
    config = runtime_config("localstack", {"api_url": API + "/"})
    assert config == {"environment": "localstack", "api_base_url": API, "cognito": None}


def test_local_serves_the_api_under_api_and_signs_in_at_the_emulator() -> None:
    outputs = {"api_url": "http://127.0.0.1:8000", "aws_endpoint_url": "http://127.0.0.1:5000"}
    config = runtime_config("local", {**outputs, "region": "us-east-1", **POOL})
    assert config is not None
    assert config["api_base_url"] == "/api"
    assert config["cognito"]["endpoint"] == "http://127.0.0.1:5000"


def test_config_json_is_published_beside_index_html_never_cached(
    s3: Any, build: Path, tmp_path: Path
) -> None:
    outputs = write_outputs(
        tmp_path / "o.json", "staging", api_url=API, distribution_id=None, **POOL
    )

    assert main(["staging", "--build-dir", str(build), "--outputs", str(outputs)]) == 0

    files = stored(s3)
    assert set(files) == {*VITE_BUILD, "config.json"}
    assert json.loads(files["config.json"])["api_base_url"] == API
    head = s3.head_object(Bucket=BUCKET, Key="config.json")
    assert head["CacheControl"] == "no-cache"
    assert head["ContentType"].startswith("application/json")


def test_the_builds_own_config_json_is_replaced(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = write_build(tmp_path / "dist", {**VITE_BUILD, "config.json": b'{"api_base_url": "x"}'})
    outputs = write_outputs(tmp_path / "o.json", "staging", api_url=API)

    assert main(["staging", "--build-dir", str(build), "--outputs", str(outputs)]) == 0

    assert json.loads(stored(s3)["config.json"])["environment"] == "staging"
    assert "the build's own config.json is replaced" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("typed", "meant"), [("stagin", "staging"), ("prodution", "production"), ("locl", "local")]
)
def test_a_target_typo_names_the_target_it_resembles(
    typed: str, meant: str, build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([typed, "--build-dir", str(build)]) == 1
    assert f"did you mean {meant!r}?" in capsys.readouterr().err


def test_build_cmd_and_relative_paths_follow_the_workdir(
    s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nox runs sessions in the repository root; the README promises the user's directory."""
    monkeypatch.chdir(REPO_ROOT)
    project = tmp_path / "storefront"
    project.mkdir()
    write_outputs(project / "staging.json", "staging", api_url=API)
    script = (
        "import pathlib; d = pathlib.Path('dist'); d.mkdir(); "
        "(d / 'index.html').write_text('built here: ' + str(pathlib.Path.cwd()))"
    )
    command = shlex.join([sys.executable, "-c", script])

    args = ["--workdir", str(project), "--build-dir", "dist", "--outputs", "staging.json"]
    code = main(["staging", *args, "--build-cmd", command])

    assert code == 0
    assert stored(s3)["index.html"] == f"built here: {project}".encode()
    assert not (REPO_ROOT / "dist").exists()


def test_build_cmd_without_build_dir_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = write_outputs(tmp_path / "o.json", "staging", api_url=API)
    assert main(["staging", "--outputs", str(outputs), "--build-cmd", "true"]) == 1
    assert "--build-cmd needs --build-dir" in capsys.readouterr().err


@pytest.fixture
def fake_example(tmp_path: Path) -> Path:
    """A Node project without dependencies whose build writes index.html into --outDir."""
    root = tmp_path / "example"
    (root / "src").mkdir(parents=True)
    (root / "src" / "main.ts").write_text("export const version = 1;\n")
    build = (
        "node -e \"const fs=require('fs');const d=process.argv[process.argv.indexOf('--outDir')+1];"
        "fs.mkdirSync(d,{recursive:true});fs.writeFileSync(d+'/index.html',"
        "fs.readFileSync('src/main.ts'));fs.appendFileSync('builds.log','x')\" --"
    )
    package = {"name": "fake", "version": "1.0.0", "private": True, "scripts": {"build": build}}
    (root / "package.json").write_text(json.dumps(package))
    lock = {"name": "fake", "version": "1.0.0", "lockfileVersion": 3, "requires": True}
    lock["packages"] = {"": {"name": "fake", "version": "1.0.0"}}
    (root / "package-lock.json").write_text(json.dumps(lock))
    return root


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm (Node.js)")
def test_the_example_is_built_once_per_change_of_its_sources(
    fake_example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    builds = tmp_path / "builds"
    first = example.build_example(fake_example, builds)
    first_page = (first / "index.html").read_text()
    again = example.build_example(fake_example, builds)
    (fake_example / "src" / "main.ts").write_text("export const version = 2;\n")
    changed = example.build_example(fake_example, builds)

    assert first == again
    assert first_page == "export const version = 1;\n"
    assert (changed / "index.html").read_text() == "export const version = 2;\n"
    assert (fake_example / "builds.log").read_text() == "xx"  # two builds, not three
    assert "storefront build is current" in capsys.readouterr().out
    assert [p.name for p in builds.iterdir()] == [changed.name]  # the old build is gone


def test_without_node_the_example_build_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(example.PublishError, match=r"Node\.js is not installed"):
        example.build_example(tmp_path, tmp_path / "builds")


def test_frontend_deploy_uses_the_tooling_package_only_where_documented() -> None:
    """A deliberate dependency (see frontend_deploy/__init__.py): outputs, paths, target names,
    the emulators' region and dummy credentials."""
    allowed = {"woocom.outputs", "woocom.paths", "woocom.deploy.environments", "woocom.emulated"}
    used = set()
    for path in (REPO_ROOT / "frontend_deploy").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("woocom"):
                used.add(node.module)
            if isinstance(node, ast.Import):
                used |= {a.name for a in node.names if a.name.startswith("woocom")}
    assert used <= allowed, used - allowed
