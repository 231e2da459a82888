"""`python -m woocom validate`: prove the Terraform right without touching AWS.

Steps, each reported with its time:
  fmt       terraform fmt -check -recursive over terraform/
  <root>    for every root (a folder of terraform/ other than modules/ holding *.tf):
            init -backend=false, validate, and `terraform test` when it has tests/
            (one `terraform test -filter` per file, as many side by side as there are
            cores: each spends about one core evaluating its run blocks)
  checkov   offline, settings and skips from .checkov.yaml, zero failed checks

hashicorp/aws comes from the registry when it is reachable and from the offline
stand-in otherwise (woocom.tf.runner). Roots run side by side with checkov; a
failure is printed with Terraform's (or checkov's) own message and makes the
command exit 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from woocom.config import StackError, load_stack
from woocom.packaging import Artifact, Manifest
from woocom.paths import REPO_ROOT
from woocom.stackdoc import document_path, write_stack_document
from woocom.tf import checkov
from woocom.tf.files import write_if_changed
from woocom.tf.runner import TerraformError, TerraformResult, provider_source, terraform


@dataclass(frozen=True)
class StepResult:
    name: str
    ok: bool
    seconds: float
    detail: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.name:<28} {self.seconds:6.1f} s"


def discover_roots(terraform_dir: Path) -> list[Path]:
    """Every root configuration: a folder of terraform/ other than modules/ with *.tf files."""
    return sorted(
        folder
        for folder in terraform_dir.iterdir()
        if folder.is_dir() and folder.name != "modules" and any(folder.glob("*.tf"))
    )


def write_test_manifest(stack_file: Path, into: Path) -> Path:
    """A build manifest naming every function of stack.yaml, for `terraform test` runs.

    The zips need not exist: the mocked provider never reads them.
    """
    stack = load_stack(stack_file)
    manifest = Manifest(
        functions={
            name: Artifact(
                zip=f".woocom/build/functions/{name}/test.zip",
                sha256="0" * 64,
                base64_sha256="A" * 43 + "=",
                size=0,
            )
            for name in stack.functions
        }
    )
    write_if_changed(into, (manifest.model_dump_json(indent=2) + "\n").encode())
    return into


def write_document(repo: Path) -> Path:
    """The stack document of the checkout at `repo`, where its terraform/stack reads it."""
    return write_stack_document(load_stack(repo / "stack.yaml"), document_path(repo))


def _timed(name: str, work: Callable[[], str]) -> StepResult:
    started = time.perf_counter()
    try:
        detail = work()
    except (TerraformError, checkov.CheckovError, StackError) as exc:
        return StepResult(name, False, time.perf_counter() - started, str(exc))
    return StepResult(name, True, time.perf_counter() - started, detail)


def check_format(terraform_dir: Path) -> StepResult:
    def work() -> str:
        result = terraform(
            "fmt", "-check", "-recursive", "-diff", "-no-color", cwd=terraform_dir, stream=False
        )
        return result.stdout

    step = _timed("fmt", work)
    if not step.ok:
        hint = "\nrun `terraform fmt -recursive terraform` (or fix the files listed above)"
        return StepResult(step.name, False, step.seconds, step.detail + hint)
    return step


# Terraform's Go garbage collector at its default (GOGC=100) took about a third of the
# CPU of `terraform test` here (stack.tftest.hcl: 19-20 s of CPU at 100, 11-14 s at 800,
# for about 0.7 GB instead of 0.2 GB); the memory limit keeps a runaway heap in check.
# A GOGC or GOMEMLIMIT already set wins.
GO_GC_DEFAULTS = {"GOGC": "800", "GOMEMLIMIT": "2GiB"}


def go_gc_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The Go runtime settings for validation commands: ours unless `environ` sets them."""
    return {name: environ.get(name, default) for name, default in GO_GC_DEFAULTS.items()}


def check_root(
    root: Path, manifest: Path, run_tests: bool, document: Path | None = None
) -> StepResult:
    env = {**go_gc_environment(os.environ), "TF_VAR_package_manifest": str(manifest)}
    if document is not None:
        env["TF_VAR_stack_document"] = str(document)

    def run(*args: str) -> str:
        return terraform(*args, "-no-color", cwd=root, env=env, stream=False).stdout

    def work() -> str:
        run("init", "-backend=false", "-input=false")
        run("validate")
        return run_test_files(root, env) if run_tests else ""

    return _timed(f"{root.name}: init, validate, test", work)


def test_files(root: Path) -> list[Path]:
    """The root's `terraform test` files (beside its *.tf and in tests/), largest first."""
    files = [*root.glob("*.tftest.hcl"), *(root / "tests").glob("*.tftest.hcl")]
    return sorted(files, key=lambda path: (-path.stat().st_size, path.name))


def run_test_files(root: Path, env: dict[str, str]) -> str:
    """`terraform test`, one file per command, side by side; their output in file order.

    One command evaluates run blocks one at a time on about one core, so on a
    machine with more than one, files run in parallel (largest first, so the long
    ones do not end up last). A failure names every failing file with its output.
    """
    files = test_files(root)
    if not files:
        return ""

    def run_file(path: Path) -> tuple[tuple[str, ...], TerraformResult]:
        args = ("test", f"-filter={path.relative_to(root).as_posix()}", "-no-color")
        return args, terraform(*args, cwd=root, env=env, stream=False, check=False)

    with ThreadPoolExecutor(max_workers=min(len(files), os.cpu_count() or 1)) as pool:
        results = list(pool.map(run_file, files))
    failed = [(args, result) for args, result in results if result.returncode != 0]
    if failed:
        # One command that reruns every failing file, and what each said.
        filters = tuple(arg for args, _ in failed for arg in args if arg.startswith("-filter="))
        output = "\n".join(result.stdout + result.stderr for _, result in failed)
        raise TerraformError(
            ("test", *filters, "-no-color"),
            root,
            TerraformResult(failed[0][1].returncode, output, ""),
        )
    return "".join(result.stdout for _, result in sorted(results, key=lambda r: r[0]))


def check_policies(repo: Path) -> StepResult:
    def work() -> str:
        executable = checkov.ensure_installed()
        report = checkov.run_checkov(repo / "terraform", repo / ".checkov.yaml", executable)
        if not report.ok:
            raise checkov.CheckovError(report.describe())
        return report.describe()

    return _timed("checkov", work)


def validate(
    repo: Path,
    *,
    run_tests: bool = True,
    run_checkov: bool = True,
    only_roots: Sequence[str] = (),
) -> list[StepResult]:
    terraform_dir = repo / "terraform"
    roots = [r for r in discover_roots(terraform_dir) if not only_roots or r.name in only_roots]
    if only_roots and len(roots) != len(set(only_roots)):
        known = ", ".join(r.name for r in discover_roots(terraform_dir))
        raise ValueError(f"--root {', '.join(only_roots)}: the roots are {known}")
    source = provider_source()
    print(f"hashicorp/aws: {source} provider; Terraform under {terraform_dir}", flush=True)
    results = [check_format(terraform_dir)]
    _report(results[-1])
    # Beside the document, in the checkout: `--repo` copies validated side by side never share.
    document = write_document(repo)
    manifest = write_test_manifest(repo / "stack.yaml", document.with_name("test-manifest.json"))
    # Two workers: the machine has two cores. The stack root runs its test files side by
    # side as well; checkov, a single process, overlaps with them.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(check_root, root, manifest, run_tests, document) for root in roots]
        if run_checkov:
            futures.append(pool.submit(check_policies, repo))
        for future in futures:
            results.append(future.result())
            _report(results[-1])
    return results


def _report(step: StepResult) -> None:
    print(step.line(), flush=True)
    if not step.ok:
        print("\n".join(f"     {line}" for line in step.detail.strip().splitlines()), flush=True)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="woocom validate", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--repo",
        type=Path,
        default=REPO_ROOT,
        help="folder holding terraform/, stack.yaml and .checkov.yaml (default: this repository)",
    )
    parser.add_argument("--skip-tests", action="store_true", help="no `terraform test`")
    parser.add_argument("--skip-checkov", action="store_true", help="no checkov scan")
    parser.add_argument(
        "--root",
        action="append",
        default=[],
        metavar="NAME",
        help="check only this root (repeatable; default: every root)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        results = validate(
            args.repo.resolve(),
            run_tests=not args.skip_tests,
            run_checkov=not args.skip_checkov,
            only_roots=args.root,
        )
    except (StackError, ValueError) as exc:
        print(f"validate: {exc}", file=sys.stderr)
        return 1
    failed = [step.name for step in results if not step.ok]
    took = time.perf_counter() - started
    if failed:
        print(f"\nvalidate FAILED in {took:.1f} s: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"\nvalidate passed: {len(results)} steps in {took:.1f} s")
    return 0
