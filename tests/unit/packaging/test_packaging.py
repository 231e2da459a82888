"""`woocom package`: real builds of a miniature repository, inspected as Lambda would see them.

The miniature repository has two functions, the shared package and a lock that
pins one small pure-Python wheel so builds stay quick; uv installs it (from its
cache after the first time), once per session, as the real build shares the
installed dependencies between functions.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from woocom import packaging
from woocom.config import load_stack
from woocom.packaging import (
    Manifest,
    Packager,
    PackagingError,
    SourceFile,
    Target,
    check_binaries,
    check_interpreter,
    check_structure,
    read_manifest,
    runtime_imports,
    write_zip,
)

pytestmark = pytest.mark.slow  # builds install wheels with uv (PyPI or its cache) and zips them

ARM64 = Target("python3.13", "arm64")

STACK_YAML = """\
name: shop
tables:
  main:
    hash_key: pk
    range_key: sk
functions:
  catalog:
    handler: handler.handle
    permissions:
      table:
        main: read
  ping:
    handler: handler.handle
"""

# Imports what a real handler imports: boto3 (from the runtime), a dependency, our package.
CATALOG_HANDLER = """\
import os

import annotated_types
import boto3

from storefront.models import Product

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_MAIN_NAME"])


def handle(event: dict, context: object) -> dict:
    return {"statusCode": 200, "body": Product.describe()}
"""

PING_HANDLER = """\
def handle(event: dict, context: object) -> dict:
    return {"statusCode": 200, "body": "pong"}
"""

STOREFRONT_MODELS = """\
from __future__ import annotations

from typing import TYPE_CHECKING

from . import errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBServiceResource


class Product:
    @staticmethod
    def describe() -> str:
        return errors.NAME
"""

# Locks are installed with --require-hashes: each pin carries its files' hashes.
LOCK = (
    "annotated-types==0.8.0 \\\n"
    "    --hash=sha256:13b2beaad985e05e2d6407ee4c4f35590b11f8d693a258a561055cac8f64cab7 \\\n"
    "    --hash=sha256:f072f4d804ea359e4eaf198b1af7a8b0943881a87f31bb764f8bf219bb9419e0\n"
)
OLDER_LOCK = (
    "annotated-types==0.7.0 \\\n"
    "    --hash=sha256:1f02e8b43a8fbbc3f3e0d4f0f4bfc8131bcb4eebe8849b8e5c773f3a1c582a53 \\\n"
    "    --hash=sha256:aff07c09a53a08bc8cfccb9c85b05f1aa9a2a6f23728d790723543408344ce89\n"
)
BROKEN_PING = "import requests\n\n\ndef handle(event: dict, context: object) -> None: ...\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write(root / "stack.yaml", STACK_YAML)
    functions = root / "functions"
    write(functions / "catalog" / "__init__.py", "")
    write(functions / "catalog" / "handler.py", CATALOG_HANDLER)
    write(functions / "ping" / "__init__.py", "")
    write(functions / "ping" / "handler.py", PING_HANDLER)
    write(functions / "storefront" / "__init__.py", '"""Shared domain."""\n')
    write(functions / "storefront" / "models.py", STOREFRONT_MODELS)
    write(functions / "storefront" / "errors.py", 'NAME = "product"\n')
    write(functions / "requirements.txt", LOCK)
    return root


@pytest.fixture(scope="session")
def deps_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deps")


BuildFn = Callable[..., Manifest]


@pytest.fixture
def build(deps_dir: Path) -> BuildFn:
    """Package a repository; returns the manifest. Progress lines go to `lines` if given."""

    def run(root: Path, lines: list[str] | None = None, *, import_check: bool = True) -> Manifest:
        # Sources only: the bytecode tests below build with it on purpose.
        packager = Packager(
            root,
            deps_dir=deps_dir,
            import_check=import_check,
            bytecode="never",
            progress=(lines.append if lines is not None else lambda _: None),
        )
        return packager.build(load_stack(root / "stack.yaml"))

    return run


@pytest.fixture
def copy_repo(tmp_path: Path) -> Callable[[Path, str], Path]:
    def run(root: Path, name: str) -> Path:
        copied = shutil.copytree(root, tmp_path / name, ignore=shutil.ignore_patterns(".woocom"))
        return Path(copied)

    return run


def digests(manifest: Manifest) -> dict[str, str]:
    return {name: artifact.sha256 for name, artifact in manifest.functions.items()}


def zip_names(root: Path, manifest: Manifest, function: str) -> list[str]:
    with zipfile.ZipFile(root / manifest.functions[function].zip) as archive:
        return archive.namelist()


# --- reproducibility -------------------------------------------------------------------


def test_two_builds_give_identical_zips_and_the_second_reuses_them(
    repo: Path, build: BuildFn
) -> None:
    first_lines: list[str] = []
    first = build(repo, first_lines)
    second_lines: list[str] = []
    second = build(repo, second_lines)
    assert digests(first) == digests(second)
    assert any(line.split()[:2] == ["catalog", "built"] for line in first_lines)
    assert [line.split()[1] for line in second_lines[:2]] == ["reused", "reused"]
    assert second_lines[-1].startswith("2 function(s): 0 built, 2 reused")


def test_a_copy_with_other_file_times_and_umask_gives_the_same_bytes(
    repo: Path, build: BuildFn, copy_repo: Callable[[Path, str], Path]
) -> None:
    original = build(repo)
    clone = copy_repo(repo, "clone")
    for path in clone.rglob("*"):
        if path.is_file():
            os.utime(path, (1_700_000_000, 1_700_000_000))
            path.chmod(0o600)  # a stricter umask: only the owner's execute bit counts
    assert digests(build(clone)) == digests(original)


def test_manifest_matches_the_zip_bytes(repo: Path, build: BuildFn) -> None:
    manifest = build(repo)
    on_disk = read_manifest(repo / ".woocom" / "build" / "manifest.json")
    assert on_disk == manifest
    for artifact in manifest.functions.values():
        data = (repo / artifact.zip).read_bytes()
        assert artifact.sha256 == hashlib.sha256(data).hexdigest()
        assert base64.b64decode(artifact.base64_sha256) == hashlib.sha256(data).digest()
        assert artifact.size == len(data)
        assert artifact.zip.startswith(".woocom/build/functions/")


# --- contents --------------------------------------------------------------------------


def test_zip_holds_function_package_shared_package_and_dependencies(
    repo: Path, build: BuildFn
) -> None:
    manifest = build(repo)
    names = zip_names(repo, manifest, "catalog")
    assert names == sorted(names)
    assert {"catalog/__init__.py", "catalog/handler.py", "storefront/models.py"} <= set(names)
    assert "annotated_types/__init__.py" in names
    assert not any(name.startswith(("boto3/", "botocore/")) for name in names)
    # ping never imports the shared package: it is not shipped, so it never rebuilds for it.
    ping = zip_names(repo, manifest, "ping")
    assert not any(name.startswith("storefront/") for name in ping)


def test_bytecode_tests_and_editor_files_stay_out(repo: Path, build: BuildFn) -> None:
    folder = repo / "functions" / "catalog"
    junk = [
        "__pycache__/handler.cpython-311.pyc",
        "tests/test_handler.py",
        "test_local.py",
        "conftest.py",
        "handler.py~",
        ".handler.py.swp",
        ".#handler.py",
        ".vscode/settings.json",
        "handler.py.orig",
    ]
    for name in junk:
        write(folder / name, "x = 1\n")
    names = zip_names(repo, build(repo), "catalog")
    assert [n for n in names if n.startswith("catalog/")] == [
        "catalog/__init__.py",
        "catalog/handler.py",
    ]


def test_entries_have_fixed_times_and_modes(repo: Path, build: BuildFn) -> None:
    script = write(repo / "functions" / "catalog" / "bootstrap.sh", "#!/bin/sh\n")
    script.chmod(0o775)
    manifest = build(repo)
    with zipfile.ZipFile(repo / manifest.functions["catalog"].zip) as archive:
        infos = archive.infolist()
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    modes = {info.filename: info.external_attr >> 16 for info in infos}
    assert modes["catalog/bootstrap.sh"] == 0o100755
    assert modes["catalog/handler.py"] == 0o100644
    assert not any(info.is_dir() for info in infos)


def test_duplicate_archive_names_are_refused(tmp_path: Path) -> None:
    source = write(tmp_path / "a.py", "")
    files = [SourceFile("pydantic/__init__.py", source, False)] * 2
    with pytest.raises(PackagingError, match=r"two sources provide pydantic/__init__\.py"):
        write_zip(files, tmp_path / "out.zip")


# --- the cache -------------------------------------------------------------------------


def test_changing_one_function_rebuilds_only_that_function(repo: Path, build: BuildFn) -> None:
    before = build(repo)
    handler = repo / "functions" / "ping" / "handler.py"
    handler.write_text(handler.read_text().replace("pong", "PONG"))
    lines: list[str] = []
    after = build(repo, lines)
    assert after.functions["catalog"] == before.functions["catalog"]
    assert after.functions["ping"].sha256 != before.functions["ping"].sha256
    assert lines[-1].startswith("2 function(s): 1 built, 1 reused")


def test_changing_the_shared_package_rebuilds_the_functions_that_import_it(
    repo: Path, build: BuildFn
) -> None:
    before = build(repo)
    write(repo / "functions" / "storefront" / "errors.py", 'NAME = "item"\n')
    after = build(repo)
    assert after.functions["catalog"].sha256 != before.functions["catalog"].sha256
    assert after.functions["ping"] == before.functions["ping"]


def test_changing_the_pinned_dependencies_rebuilds_every_function(
    repo: Path, build: BuildFn
) -> None:
    before = build(repo)
    write(repo / "functions" / "requirements.txt", OLDER_LOCK)
    after = build(repo)
    for name in ("catalog", "ping"):
        assert after.functions[name].sha256 != before.functions[name].sha256
    assert "annotated_types-0.7.0.dist-info/METADATA" in zip_names(repo, after, "ping")


def test_touching_files_without_changing_them_rebuilds_nothing(repo: Path, build: BuildFn) -> None:
    build(repo)
    for path in (repo / "functions").rglob("*.py"):
        os.utime(path)
    lines: list[str] = []
    build(repo, lines)
    assert lines[-1].startswith("2 function(s): 0 built, 2 reused")


# --- the import check ------------------------------------------------------------------


def test_a_handler_importing_a_missing_dependency_fails_the_build(
    repo: Path, build: BuildFn
) -> None:
    write(repo / "functions" / "ping" / "handler.py", BROKEN_PING)
    with pytest.raises(PackagingError) as caught:
        build(repo)
    message = str(caught.value)
    assert "ping: the zip would not import on Lambda" in message
    assert "ping/handler.py imports 'requests', which is not in the zip" in message
    assert "functions/requirements.in" in message
    assert not list((repo / ".woocom" / "build" / "functions" / "ping").glob("*.zip"))


def test_a_handler_that_fails_at_import_time_fails_the_build(repo: Path, build: BuildFn) -> None:
    models = repo / "functions" / "storefront" / "models.py"
    models.write_text(models.read_text() + "\nraise RuntimeError('settings missing')\n")
    with pytest.raises(PackagingError) as caught:
        build(repo)
    message = str(caught.value)
    assert "catalog: handler catalog.handler.handle does not import from the built zip" in message
    assert "RuntimeError: settings missing" in message
    assert not (repo / ".woocom" / "build" / "manifest.json").exists()


def test_every_function_that_fails_is_reported_and_the_others_still_show(
    repo: Path, build: BuildFn
) -> None:
    """Only the first failure was raised: a second broken function surfaced a build later."""
    write(repo / "functions" / "ping" / "handler.py", BROKEN_PING)
    models = repo / "functions" / "storefront" / "models.py"
    models.write_text(models.read_text() + "\nraise RuntimeError('settings missing')\n")
    lines: list[str] = []
    with pytest.raises(PackagingError) as caught:
        build(repo, lines)
    message = str(caught.value)
    assert message.startswith("2 of 2 functions failed")
    assert "ping: the zip would not import on Lambda" in message
    assert "RuntimeError: settings missing" in message
    assert any(line.split() == ["catalog", "FAILED"] for line in lines), lines
    assert any(line.split() == ["ping", "FAILED"] for line in lines), lines
    assert not (repo / ".woocom" / "build" / "manifest.json").exists()


def test_one_failed_function_leaves_the_others_built_and_reported(
    repo: Path, build: BuildFn
) -> None:
    write(repo / "functions" / "ping" / "handler.py", BROKEN_PING)
    lines: list[str] = []
    with pytest.raises(PackagingError, match=r"^1 of 2 functions failed") as caught:
        build(repo, lines)
    assert "catalog" not in str(caught.value)
    assert any(line.split()[:2] == ["catalog", "built"] for line in lines), lines
    assert list((repo / ".woocom" / "build" / "functions" / "catalog").glob("*.zip"))


def test_a_missing_shared_module_is_reported_structurally(repo: Path, build: BuildFn) -> None:
    models = repo / "functions" / "storefront" / "models.py"
    models.write_text("from storefront.pricing import rounding\n" + models.read_text())
    with pytest.raises(PackagingError, match=r"'storefront\.pricing': no such module in the zip"):
        build(repo)


def test_skipping_the_import_check_still_builds(repo: Path, build: BuildFn) -> None:
    write(repo / "functions" / "ping" / "handler.py", BROKEN_PING)
    assert "ping" in build(repo, import_check=False).functions


def test_runtime_imports_resolve_relative_and_skip_type_checking() -> None:
    source = (
        "import os, json\n"
        "from . import errors\n"
        "from ..shared import thing\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import mypy_boto3_s3\nelse:\n    import fallback\n"
        "def f():\n    import lazy.module\n"
    )
    found = list(runtime_imports(source, "pkg.sub.mod", is_package=False))
    assert found == [
        ("os", ""),
        ("json", ""),
        ("pkg.sub", "errors"),
        ("pkg.shared", "thing"),
        ("typing", "TYPE_CHECKING"),
        ("fallback", ""),
        ("lazy.module", ""),
    ]


def test_structure_check_names_a_missing_handler_module(tmp_path: Path) -> None:
    assert check_structure(tmp_path, "fn.handler", ["fn"]) == [
        "handler module fn.handler is not in the zip"
    ]


def _elf(machine: int) -> bytes:
    return b"\x7fELF" + bytes(14) + machine.to_bytes(2, "little") + bytes(16)


def test_binaries_for_the_wrong_cpu_or_python_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "ok" / "_c.cpython-313-aarch64-linux-gnu.so", "").write_bytes(_elf(0xB7))
    (tmp_path / "x86" / "_c.cpython-313-x86_64-linux-gnu.so").parent.mkdir()
    (tmp_path / "x86" / "_c.cpython-313-x86_64-linux-gnu.so").write_bytes(_elf(0x3E))
    (tmp_path / "old" / "_c.cpython-311-aarch64-linux-gnu.so").parent.mkdir()
    (tmp_path / "old" / "_c.cpython-311-aarch64-linux-gnu.so").write_bytes(_elf(0xB7))
    (tmp_path / "mac.abi3.so").write_bytes(b"\xcf\xfa\xed\xfe" + bytes(20))
    assert check_binaries(tmp_path, ARM64) == [
        "mac.abi3.so is not a Linux (ELF) binary",
        "old/_c.cpython-311-aarch64-linux-gnu.so is built for cpython-311, not cpython-313",
        "x86/_c.cpython-313-x86_64-linux-gnu.so is built for x86_64, not aarch64",
    ]


def test_without_the_target_python_the_local_one_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    interpreter = check_interpreter(Target("python3.99", "x86_64"))
    assert interpreter.executable == Path(sys.executable)
    assert not interpreter.faithful_to(Target("python3.99", "x86_64"))


def test_a_build_looks_each_python_up_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    looked_up: list[str] = []
    monkeypatch.setattr(
        packaging.interpreters, "find_python", lambda version: looked_up.append(version)
    )
    packager = Packager(tmp_path)
    found = {packager._check_interpreter(Target("python3.13", a)) for a in ("arm64", "x86_64")}
    assert looked_up == ["3.13"]
    assert len(found) == 1


def test_an_interpreter_named_by_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    monkeypatch.setenv(f"WOOCOM_PYTHON_{local.replace('.', '_')}", sys.executable)
    assert packaging.find_python(local) == Path(sys.executable)


# --- the command -----------------------------------------------------------------------


def test_command_packages_a_checkout_and_prints_progress(repo: Path, deps_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "woocom", "package", "--repo-root", str(repo)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "packaging 2 function(s)" in result.stdout
    assert "catalog  built" in result.stdout
    assert (repo / ".woocom" / "build" / "manifest.json").is_file()


def test_command_rejects_a_bad_stack_before_building(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / "stack.yaml", "name: shop\nfunctions: {}\n")
    assert packaging.main(["--repo-root", str(repo)]) == 2
    assert "tables" in capsys.readouterr().err


def test_command_reports_a_failed_build(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "functions" / "ping" / "handler.py", BROKEN_PING)
    assert packaging.main(["--repo-root", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "packaging failed: 1 of 2 functions failed:\nping: the zip would not import" in err


# --- bytecode --------------------------------------------------------------------------

HOST_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
HOST_ARCH = {"x86_64": "x86_64", "aarch64": "arm64"}[packaging.host_machine()]


def on_this_host(root: Path) -> Path:
    """The repo's stack retargeted at this interpreter and CPU, which can compile and run it."""
    stack = root / "stack.yaml"
    stack.write_text(
        stack.read_text().replace(
            "name: shop\n",
            f"name: shop\ndefaults:\n  runtime: python{HOST_PYTHON}\n  architecture: {HOST_ARCH}\n",
        )
    )
    return root


def build_with(root: Path, deps_dir: Path, bytecode: packaging.Bytecode) -> Manifest:
    packager = Packager(root, deps_dir=deps_dir, bytecode=bytecode, progress=lambda _: None)
    return packager.build(load_stack(root / "stack.yaml"))


def test_zips_carry_unchecked_hash_bytecode_for_every_module(repo: Path, deps_dir: Path) -> None:
    manifest = build_with(on_this_host(repo), deps_dir, "always")
    names = set(zip_names(repo, manifest, "catalog"))
    tag = f"cpython-{HOST_PYTHON.replace('.', '')}"
    sources = sorted(n for n in names if n.endswith(".py"))
    assert sources, names
    for source in sources:
        folder, _, file_name = source.rpartition("/")
        compiled = "/".join(filter(None, (folder, "__pycache__", f"{file_name[:-3]}.{tag}.pyc")))
        assert compiled in names, f"{source} has no {compiled}"
    with zipfile.ZipFile(repo / manifest.functions["catalog"].zip) as archive:
        header = archive.read(f"catalog/__pycache__/handler.{tag}.pyc")[:8]
    # PEP 552 flags word: bit 0 = hash-based, bit 1 = check_source; unchecked = 0b01.
    assert int.from_bytes(header[4:8], "little") == 0b01


def test_bytecode_zips_are_reproducible(
    repo: Path, deps_dir: Path, copy_repo: Callable[[Path, str], Path]
) -> None:
    first = build_with(on_this_host(repo), deps_dir, "always")
    clone = copy_repo(repo, "clone")
    for path in clone.rglob("*.py"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    assert digests(build_with(clone, deps_dir, "always")) == digests(first)
    assert digests(build_with(repo, deps_dir, "never")) != digests(first)


def test_python_loads_the_shipped_bytecode_from_a_read_only_tree(
    repo: Path, deps_dir: Path, tmp_path: Path
) -> None:
    manifest = build_with(on_this_host(repo), deps_dir, "always")
    task = tmp_path / "task"
    with zipfile.ZipFile(repo / manifest.functions["ping"].zip) as archive:
        archive.extractall(task)
    for path in sorted(task.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    done = subprocess.run(
        [sys.executable, "-E", "-S", "-v", "-c", "import ping.handler"],
        cwd=task,
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"code object from '{task}/ping/__pycache__/handler." in done.stderr


def test_always_refuses_without_the_target_python(
    repo: Path, deps_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packaging.interpreters, "find_python", lambda version: None)
    with pytest.raises(PackagingError, match=r"--bytecode always needs Python 3\.13"):
        build_with(repo, deps_dir, "always")
    lines: list[str] = []
    Packager(repo, deps_dir=deps_dir, progress=lines.append).build(load_stack(repo / "stack.yaml"))
    assert "no bytecode (each cold start compiles)" in "\n".join(lines)


def test_a_lock_without_hashes_is_refused(repo: Path, build: BuildFn) -> None:
    """The zips hold exactly the hashed files: an unhashed pin fails before any download."""
    write(repo / "functions" / "requirements.txt", "annotated-types==0.7.0\n")
    with pytest.raises(PackagingError, match="hash"):
        build(repo)


def test_a_lock_uv_cannot_install_fails_the_build_once_not_per_function(
    repo: Path, build: BuildFn
) -> None:
    """Every function retried the install: the same uv error, once per function."""
    write(repo / "functions" / "requirements.txt", "this is not a requirement ===\n")
    lines: list[str] = []
    with pytest.raises(PackagingError, match="not a requirement") as caught:
        build(repo, lines)
    installs = [line for line in lines if "installing runtime dependencies" in line]
    assert len(installs) == 1, lines
    # One cause, said once, naming every function it stopped.
    assert str(caught.value).count("not a requirement") == 1
    assert "catalog, ping:" in str(caught.value)
