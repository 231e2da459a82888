"""`python -m woocom`: dispatch, `check` output, outputs file, bench runner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from woocom import bench, cli
from woocom.outputs import (
    OutputsMissingError,
    flatten_terraform_outputs,
    read_outputs,
    write_outputs,
)
from woocom.paths import REPO_ROOT


def test_check_prints_every_function_and_trigger(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check"]) == 0
    out = capsys.readouterr().out
    assert "stack 'woocom': 5 functions" in out
    assert "PUT /products/{sku}" in out
    assert "schedule  rate(5 minutes)" in out
    assert "s3        bucket imports imports/*.csv" in out
    assert "sqs       queue orders batch 10, window 1s" in out
    assert "can       table main: read_write; queue orders: send" in out
    assert out.rstrip().endswith("stack.yaml is valid.")


def test_check_rejects_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "stack.yaml"
    bad.write_text("name: shop\ntables: {}\nfunctions: {}\nextra: 1\n")
    assert cli.main(["check", "--file", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "extra (line 4): unknown key" in err


def test_usage_and_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    assert "commands:" in capsys.readouterr().out
    assert cli.main([]) == 2
    assert cli.main(["deploi"]) == 2
    assert "unknown command 'deploi'" in capsys.readouterr().err


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "woocom", "check", "--quiet"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_outputs_round_trip_and_private_mode(tmp_path: Path) -> None:
    path = write_outputs("local", {"api_url": "http://x"}, tmp_path / "local.json")
    assert read_outputs("local", path) == {"target": "local", "api_url": "http://x"}
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(("target", "hint"), [("local", "nox -s dev"), ("pr-7", "deploy -- pr-7")])
def test_missing_outputs_say_what_to_do(tmp_path: Path, target: str, hint: str) -> None:
    with pytest.raises(OutputsMissingError, match=hint):
        read_outputs(target, tmp_path / "absent.json")


def test_terraform_outputs_are_flattened() -> None:
    tf = {
        "api_url": {"value": "https://api"},
        "buckets": {"value": {"imports": "b1", "site": "b2"}},
        "queues": {"value": {"orders": {"url": "q", "arn": "a", "dlq_url": "d"}}},
    }
    assert flatten_terraform_outputs(tf) == {
        "api_url": "https://api",
        "imports_bucket": "b1",
        "site_bucket": "b2",
        "orders_queue_url": "q",
        "orders_dlq_url": "d",
    }


def test_bench_runs_benchmarks_and_keeps_going_after_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bench_good.py").write_text(
        "def run():\n    return {'figure': 3, 'summary': ['figure: 3']}\n"
    )
    (tmp_path / "bench_bad.py").write_text("def run():\n    raise RuntimeError('boom')\n")
    monkeypatch.setattr(bench, "BENCH_SOURCES", tmp_path)
    output = tmp_path / "results.json"
    assert bench.main(["--output", str(output), "--no-readme"]) == 1
    results = json.loads(output.read_text())["benchmarks"]
    assert results["good"]["figure"] == 3
    assert results["bad"]["error"] == "RuntimeError: boom"
    printed = capsys.readouterr().out
    assert "figure: 3" in printed
    assert "FAILED: RuntimeError: boom" in printed
    assert bench.main(["good", "--output", str(output), "--no-readme"]) == 0
    assert bench.main(["nothing", "--output", str(output), "--no-readme"]) == 2


def test_bench_keeps_other_areas_and_writes_the_readme_table_from_the_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bench_fast.py").write_text(
        "def run():\n    return {'summary': ['p50 4.1 ms | p99 8.0 ms']}\n"
    )
    (tmp_path / "bench_slow.py").write_text("def run():\n    return {'summary': ['12.9 s']}\n")
    monkeypatch.setattr(bench, "BENCH_SOURCES", tmp_path)
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n<!-- bench:figures -->\nhand-copied 9 s\n<!-- /bench:figures -->\nend\n"
    )
    output = tmp_path / "results.json"
    args = ["--output", str(output), "--readme", str(readme)]
    assert bench.main(args) == 0
    detail = tmp_path / "functions-README.md"
    detail.write_text("intro\n<!-- bench:fast -->\nold\n<!-- /bench:fast -->\nrest\n")
    monkeypatch.setattr(bench, "DETAIL_READMES", (detail,))
    (tmp_path / "bench_fast.py").write_text(
        "def run():\n    return {'summary': ['p50 3.0 ms'], 'table': '| a |\\n|---|\\n| 3.0 |'}\n"
    )
    assert bench.main(["fast", *args]) == 0
    assert detail.read_text() == (
        "intro\n<!-- bench:fast -->\n| a |\n|---|\n| 3.0 |\n<!-- /bench:fast -->\nrest\n"
    )

    results = json.loads(output.read_text())["benchmarks"]
    assert results["slow"]["summary"] == ["12.9 s"]  # not run the second time, still there
    assert results["fast"]["summary"] == ["p50 3.0 ms"]
    assert {"when", "python"} <= results["slow"].keys()
    text = readme.read_text()
    assert "hand-copied" not in text
    assert "| fast | p50 3.0 ms |" in text
    assert "| slow | 12.9 s |" in text
    assert text.startswith("# Title\n<!-- bench:figures -->\n| area |")
    assert text.endswith("<!-- /bench:figures -->\nend\n")


def test_the_readme_figures_are_the_committed_results_file() -> None:
    """The table is what `nox -s bench` renders from benchmarks/results.json, which is in
    git: kept out of it (under .woocom/), a run of one area on a fresh clone rewrote the
    table with that area alone."""
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", str(bench.RESULTS)],
        cwd=REPO_ROOT,
        capture_output=True,
        check=False,
    )
    assert tracked.returncode == 0, f"{bench.RESULTS} is not committed"
    results = bench.load_results(bench.RESULTS)
    assert set(results["benchmarks"]) == {
        path.stem.removeprefix("bench_") for path in bench.discover([])
    }
    readme = bench.README.read_text(encoding="utf-8")
    assert bench.figures_table(results) in readme
