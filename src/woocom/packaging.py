"""`woocom package`: one byte-reproducible zip per function declared in stack.yaml.

A zip holds, at its root: the function's folder as a package, the shared
`storefront/` package when the function imports it, and the runtime
dependencies of functions/requirements.txt installed from wheels built for the
function's Lambda platform (architecture + Python version), so a build on any
machine gives a zip that imports on Lambda. No Docker.

Reproducible: entries sorted, timestamps fixed at 1980-01-01, modes 0644/0755,
no bytecode, tests or editor files, one compression level. The same inputs
give the same sha256 from any clone.

Content-addressed: a function's zip is named by the digest of everything that
goes into it (its files, the shared package if used, the dependency lock and
target platform, the packager format). An unchanged function is reused
without being rebuilt; the manifest `.woocom/build/manifest.json` maps each
function to its zip, sha256 and size, and Terraform reads it.

Every new zip is import-checked before it gets its final name (see `check_zip`).
"""

from __future__ import annotations

import argparse
import ast
import base64
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from woocom.atomic import write_atomic
from woocom.config import (
    FUNCTIONS_DIR,
    SHARED_PACKAGE,
    STACK_FILE,
    Stack,
    StackError,
    load_stack,
    resource_environment,
)
from woocom.emulated import REGION
from woocom.paths import BUILD_DIR, REPO_ROOT, display_path

# Bump when the layout or the exclusion rules change: every cached zip is then rebuilt.
FORMAT_VERSION = 1
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 9
RUNTIME_LOCK = FUNCTIONS_DIR / "requirements.txt"
TOOLING_LOCK = REPO_ROOT / "requirements" / "dev.txt"
MANIFEST_NAME = "manifest.json"
# Zips kept per function, so switching branches back and forth reuses them.
KEEP_PER_FUNCTION = 5

# Modules the Lambda Python runtime provides; the import check supplies them from
# the version pinned for the tooling (requirements/dev.txt).
RUNTIME_PROVIDED = frozenset({"boto3", "botocore"})

_EDITOR_FILES = re.compile(r"(~$|\.sw[po]$|^\.#|^#.*#$|\.orig$|\.rej$)")
_TEST_FILES = re.compile(r"^(test_.*\.py|.*_test\.py|conftest\.py)$")
_ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64"}


class PackagingError(RuntimeError):
    """A build step failed; the message says which function, what happened and what to do."""


# --- targets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A Lambda platform: the runtime (python3.13) and architecture (arm64 / x86_64)."""

    runtime: str
    architecture: str

    @property
    def python_version(self) -> str:
        return self.runtime.removeprefix("python")

    @property
    def machine(self) -> str:
        return "aarch64" if self.architecture == "arm64" else "x86_64"

    @property
    def uv_platform(self) -> str:
        return f"{self.machine}-manylinux2014"

    def __str__(self) -> str:
        return f"{self.runtime}/{self.architecture}"


def host_machine() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


# --- collecting files ------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    """One file going into a zip: its name in the archive and where its bytes come from."""

    archive_name: str
    path: Path
    executable: bool

    def describe(self) -> str:
        """One line of the inputs digest: name, mode and content hash."""
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        return f"{self.archive_name} {self.mode:o} {digest}"

    @property
    def mode(self) -> int:
        return 0o755 if self.executable else 0o644


def is_excluded(relative: Path, *, strip_tests: bool) -> bool:
    """Bytecode, dotfiles (editor state, caches), editor backups and, for our code, tests."""
    for part in relative.parts:
        if part == "__pycache__" or part.startswith("."):
            return True
        if strip_tests and part in ("tests", "test"):
            return True
    name = relative.name
    if name.endswith((".pyc", ".pyo")) or _EDITOR_FILES.search(name):
        return True
    return strip_tests and bool(_TEST_FILES.match(name))


def collect_tree(root: Path, prefix: str, *, strip_tests: bool) -> list[SourceFile]:
    """Every file under `root` that belongs in a zip, named `<prefix>/<relative path>`."""
    files: list[SourceFile] = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or is_excluded(relative, strip_tests=strip_tests):
            continue
        name = "/".join(filter(None, (prefix, relative.as_posix())))
        files.append(SourceFile(name, path, executable=bool(path.stat().st_mode & 0o100)))
    return files


def write_zip(files: Iterable[SourceFile], destination: Path) -> None:
    """Write a deterministic zip: sorted names, fixed times and modes, no directory entries."""
    ordered = sorted(files, key=lambda f: f.archive_name)
    names = [f.archive_name for f in ordered]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PackagingError(
            f"{destination.name}: two sources provide {', '.join(duplicates[:5])}: a function "
            "folder or the shared package has the same name as a dependency; rename the folder"
        )
    with zipfile.ZipFile(destination, "w") as archive:
        for source in ordered:
            info = zipfile.ZipInfo(source.archive_name, date_time=ZIP_EPOCH)
            # Unix creator so that extraction (Lambda included) honours the modes below.
            info.create_system = 3
            info.external_attr = (0o100000 | source.mode) << 16
            archive.writestr(
                info,
                source.path.read_bytes(),
                compress_type=zipfile.ZIP_DEFLATED,
                compresslevel=COMPRESS_LEVEL,
            )


# --- imports (static) ------------------------------------------------------------------


def runtime_imports(source: str, module: str, *, is_package: bool) -> Iterator[tuple[str, str]]:
    """(module, name) pairs imported when `module` runs; name is "" for `import a.b`.

    Relative imports are made absolute. Imports under `if TYPE_CHECKING:` are
    skipped: they never run, and type stubs are rightly absent from a zip.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ""
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield base, alias.name


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from (n for child in node.orelse for n in (child, *_runtime_nodes(child)))
            continue
        yield node
        yield from _runtime_nodes(node)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_shared_package(folder: Path) -> bool:
    """Whether any module of a function folder imports the shared package."""
    for path in sorted(folder.rglob("*.py")):
        if is_excluded(path.relative_to(folder), strip_tests=True):
            continue
        module = ".".join(path.relative_to(folder.parent).with_suffix("").parts)
        is_package = path.name == "__init__.py"
        imported = runtime_imports(path.read_text(encoding="utf-8"), module, is_package=is_package)
        if any(name.split(".")[0] == SHARED_PACKAGE for name, _ in imported):
            return True
    return False


# --- checks on a built zip -------------------------------------------------------------


def module_file(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _top_level_present(root: Path, name: str) -> bool:
    return (
        (root / name).is_dir()
        or (root / f"{name}.py").is_file()
        or any(root.glob(f"{name}.*.so"))
        or any(root.glob(f"{name}.so"))
    )


def check_structure(root: Path, handler_module: str, local_packages: Iterable[str]) -> list[str]:
    """Every import reachable from the handler resolves to a file in the extracted zip.

    Our own packages (the function folder, the shared package) are followed module
    by module; anything else must be the standard library, provided by the Lambda
    runtime, or a top-level package of the zip (its dependencies).
    """
    local = set(local_packages)
    problems: list[str] = []
    pending, seen = [handler_module], set[str]()
    if module_file(root, handler_module) is None:
        return [f"handler module {handler_module} is not in the zip"]
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        # Python imports the parent packages first: follow their __init__ too.
        parts = module.split(".")
        pending += [".".join(parts[:depth]) for depth in range(1, len(parts))]
        path = module_file(root, module)
        if path is None:
            continue
        where = path.relative_to(root).as_posix()
        is_package = path.name == "__init__.py"
        for imported, name in runtime_imports(
            path.read_text(encoding="utf-8"), module, is_package=is_package
        ):
            top = imported.split(".")[0]
            if top in sys.stdlib_module_names or top in RUNTIME_PROVIDED or top == "__future__":
                continue
            if top not in local:
                if not _top_level_present(root, top):
                    problems.append(
                        f"{where} imports {imported!r}, which is not in the zip: add its "
                        "distribution to functions/requirements.in and recompile the lock"
                    )
                continue
            if module_file(root, imported) is None:
                problems.append(f"{where} imports {imported!r}: no such module in the zip")
                continue
            pending.append(imported)
            if name and module_file(root, f"{imported}.{name}") is not None:
                pending.append(f"{imported}.{name}")
    return problems


def check_binaries(root: Path, target: Target) -> list[str]:
    """Every compiled extension is built for the target CPU and Python version."""
    problems: list[str] = []
    abi = f"cpython-{target.python_version.replace('.', '')}"
    for path in sorted(root.rglob("*.so")):
        where = path.relative_to(root).as_posix()
        tags = path.name.split(".")
        built_for = "-".join(tags[1].split("-")[:2]) if len(tags) == 3 else ""
        if built_for.startswith("cpython-") and built_for != abi:
            problems.append(f"{where} is built for {built_for}, not {abi}")
        header = path.read_bytes()[:20]
        if header[:4] != b"\x7fELF":
            problems.append(f"{where} is not a Linux (ELF) binary")
            continue
        machine = _ELF_MACHINES.get(int.from_bytes(header[18:20], "little"), "unknown")
        if machine != target.machine:
            problems.append(f"{where} is built for {machine}, not {target.machine}")
    return problems


# Runs inside the check interpreter: import the handler with exactly these paths, nothing else.
_IMPORT_PROBE = """
import importlib, json, sys
paths, module_name, attribute = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.path[:0] = paths
module = importlib.import_module(module_name)
if not callable(getattr(module, attribute, None)):
    raise SystemExit(f"{module_name} defines no callable {attribute!r}")
print(module.__file__)
"""


@dataclass(frozen=True)
class CheckInterpreter:
    """The Python that imports handlers, and how faithful that is to Lambda."""

    executable: Path
    version: str

    def faithful_to(self, target: Target) -> bool:
        return self.version == target.python_version and host_machine() == target.machine


def find_python(version: str) -> Path | None:
    """An interpreter of `version`: WOOCOM_PYTHON_<X_Y>, PATH, pyenv or uv-managed installs."""
    override = os.environ.get(f"WOOCOM_PYTHON_{version.replace('.', '_')}")
    home = Path.home()
    pyenv = Path(os.environ.get("PYENV_ROOT", home / ".pyenv")) / "versions"
    uv_dir = home / ".local" / "share" / "uv" / "python"
    candidates = [
        *([Path(override)] if override else []),
        *(Path(p) for p in [shutil.which(f"python{version}")] if p),
        *sorted(pyenv.glob(f"{version}.*/bin/python{version}"), reverse=True),
        *sorted(uv_dir.glob(f"cpython-{version}.*/bin/python{version}"), reverse=True),
    ]
    for candidate in candidates:
        try:
            probe = subprocess.run(
                [str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except OSError:
            continue
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def check_interpreter(target: Target) -> CheckInterpreter:
    found = find_python(target.python_version)
    if found is not None:
        return CheckInterpreter(found, target.python_version)
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    return CheckInterpreter(Path(sys.executable), local)


# --- dependencies ----------------------------------------------------------------------


def uv_binary() -> str:
    found = shutil.which("uv")
    if found is None:
        raise PackagingError(
            "uv is not on PATH: install the bootstrap tools with "
            "`pip install -r requirements/bootstrap.txt`"
        )
    return found


def pinned_version(distribution: str, lock: Path) -> str:
    """The `name==version` line for a distribution in a compiled lock file."""
    pattern = re.compile(rf"^{re.escape(distribution)}==(\S+)", re.MULTILINE | re.IGNORECASE)
    match = pattern.search(lock.read_text(encoding="utf-8"))
    if match is None:
        raise PackagingError(f"{lock} pins no {distribution}: recompile it")
    return f"{distribution}=={match[1]}"


class DependencyCache:
    """Runtime dependencies installed per (lock, platform, Python), keyed by their digest.

    Installation goes to a temporary directory renamed into place when complete,
    so an interrupted install is never mistaken for a finished one.
    """

    def __init__(
        self, root: Path, lock: Path = RUNTIME_LOCK, progress: Callable[[str], None] = print
    ) -> None:
        self.root = root
        self.lock = lock
        self.progress = progress
        self._uv_version: str | None = None
        # Functions build in parallel; the first to need a platform installs it once.
        self._install_lock = threading.Lock()

    def uv_version(self) -> str:
        if self._uv_version is None:
            result = subprocess.run(
                [uv_binary(), "--version"], capture_output=True, text=True, check=True
            )
            self._uv_version = result.stdout.strip()
        return self._uv_version

    def key(self, platform_tag: str, python_version: str, extra: Sequence[str] = ()) -> str:
        # The uv version is part of the key: it writes the dist-info files that go in the zip.
        material = [
            f"format {FORMAT_VERSION}",
            self.uv_version(),
            platform_tag,
            python_version,
            *extra,
            self.lock.read_text(encoding="utf-8"),
        ]
        return hashlib.sha256("\n".join(material).encode()).hexdigest()

    def install(
        self, platform_tag: str, python_version: str, extra: Sequence[str] = ()
    ) -> tuple[str, Path]:
        """(key, directory) of the installed dependencies, installing them on first use."""
        key = self.key(platform_tag, python_version, extra)
        directory = self.root / key[:20]
        with self._install_lock:
            if not directory.is_dir():
                self._install(platform_tag, python_version, extra, key, directory)
        return key, directory

    def _install(
        self,
        platform_tag: str,
        python_version: str,
        extra: Sequence[str],
        key: str,
        directory: Path,
    ) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f"{key[:20]}.", dir=self.root))
        self.progress(f"  installing runtime dependencies: {platform_tag}, Python {python_version}")
        command = [
            uv_binary(),
            "pip",
            "install",
            "--quiet",
            "--target",
            str(partial),
            "--python-platform",
            platform_tag,
            "--python-version",
            python_version,
            "--only-binary",
            ":all:",
            "--link-mode",
            "copy",
            "-r",
            str(self.lock),
        ]
        # The lock is complete: install exactly it. Extras (boto3 for the check) resolve.
        command += [*extra] if extra else ["--no-deps"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise PackagingError(
                f"could not install {display_path(self.lock)} for {platform_tag} / "
                f"Python {python_version}:\n{result.stderr.strip()}\n"
                "This needs PyPI (or a warm uv cache). A package with no wheel for this "
                "platform cannot go into a Lambda zip: pick a version that has one."
            )
        for cache in partial.rglob("__pycache__"):
            shutil.rmtree(cache)
        try:
            partial.rename(directory)
        except OSError:  # another process finished first: its copy is identical
            shutil.rmtree(partial, ignore_errors=True)


# --- manifest --------------------------------------------------------------------------


class Artifact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    zip: str
    sha256: str
    base64_sha256: str
    size: int


class Manifest(BaseModel):
    """`.woocom/build/manifest.json`: what Terraform deploys (contract in the README)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    functions: dict[str, Artifact]


def read_manifest(path: Path) -> Manifest:
    return Manifest.model_validate_json(path.read_text(encoding="utf-8"))


def artifact_for(zip_path: Path, repo_root: Path) -> Artifact:
    digest = hashlib.sha256(zip_path.read_bytes()).digest()
    # Relative to the repository (the contract); absolute for a build directory outside it.
    location = zip_path.relative_to(repo_root) if zip_path.is_relative_to(repo_root) else zip_path
    return Artifact(
        zip=location.as_posix(),
        sha256=digest.hex(),
        base64_sha256=base64.b64encode(digest).decode(),
        size=zip_path.stat().st_size,
    )


# --- building --------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    name: str
    artifact: Artifact
    reused: bool
    seconds: float
    check: str


@dataclass(frozen=True)
class FunctionPlan:
    """What goes into one function's zip, and the digest that names it."""

    name: str
    target: Target
    sources: list[SourceFile]
    local_packages: tuple[str, ...]
    deps_key: str
    inputs_digest: str


class Packager:
    """Builds the zips of a stack. Paths are parameters so tests can build from a copy."""

    def __init__(
        self,
        repo_root: Path = REPO_ROOT,
        build_dir: Path | None = None,
        *,
        deps_dir: Path | None = None,
        import_check: bool = True,
        progress: Callable[[str], None] = print,
    ) -> None:
        self.repo_root = repo_root
        self.functions_dir = repo_root / FUNCTIONS_DIR.relative_to(REPO_ROOT)
        self.build_dir = build_dir or repo_root / BUILD_DIR.relative_to(REPO_ROOT)
        self.import_check = import_check
        self.progress = progress
        self.deps = DependencyCache(
            deps_dir or self.build_dir / "deps", self.functions_dir / RUNTIME_LOCK.name, progress
        )
        # Finding one runs every candidate interpreter (~0.3 s): once per Python, not per zip.
        self._interpreters: dict[str, CheckInterpreter] = {}
        self._interpreters_lock = threading.Lock()

    @property
    def manifest_path(self) -> Path:
        return self.build_dir / MANIFEST_NAME

    def plan(self, stack: Stack, name: str) -> FunctionPlan:
        folder_name = stack.folder(name)
        folder = self.functions_dir / folder_name
        target = Target(stack.runtime(name), stack.architecture(name))
        sources = collect_tree(folder, folder_name, strip_tests=True)
        local = [folder_name]
        if imports_shared_package(folder):
            shared = self.functions_dir / SHARED_PACKAGE
            sources += collect_tree(shared, SHARED_PACKAGE, strip_tests=True)
            local.append(SHARED_PACKAGE)
        deps_key = self.deps.key(target.uv_platform, target.python_version)
        material = [f"format {FORMAT_VERSION}", f"target {target}", f"deps {deps_key}"]
        material += [source.describe() for source in sources]
        digest = hashlib.sha256("\n".join(material).encode()).hexdigest()
        return FunctionPlan(name, target, sources, tuple(local), deps_key, digest)

    def zip_path(self, plan: FunctionPlan) -> Path:
        return self.build_dir / "functions" / plan.name / f"{plan.inputs_digest[:24]}.zip"

    def build(self, stack: Stack) -> Manifest:
        started = time.perf_counter()
        plans = [self.plan(stack, name) for name in stack.functions]
        width = max(len(p.name) for p in plans)
        # Two workers: compression releases the GIL; the machine is shared.
        results: list[BuildResult] = []
        with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            for result in pool.map(lambda p: self._build_one(stack, p), plans):
                state = "reused" if result.reused else "built "
                self.progress(
                    f"  {result.name:<{width}}  {state}  {result.artifact.size / 1e6:6.2f} MB  "
                    f"{result.seconds:5.2f} s  {result.check}"
                )
                results.append(result)
        manifest = Manifest(functions={r.name: r.artifact for r in results})
        self._write_manifest(manifest)
        built = sum(not r.reused for r in results)
        self.progress(
            f"{len(results)} function(s): {built} built, {len(results) - built} reused in "
            f"{time.perf_counter() - started:.2f} s -> {self._display(self.manifest_path)}"
        )
        return manifest

    def _build_one(self, stack: Stack, plan: FunctionPlan) -> BuildResult:
        started = time.perf_counter()
        destination = self.zip_path(plan)
        if destination.is_file():
            os.utime(destination)  # most recently used: kept by the pruning below
            artifact = artifact_for(destination, self.repo_root)
            return BuildResult(plan.name, artifact, True, time.perf_counter() - started, "")
        _, deps_dir = self.deps.install(plan.target.uv_platform, plan.target.python_version)
        sources = plan.sources + collect_tree(deps_dir, "", strip_tests=False)
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_suffix(f".{os.getpid()}.partial")
        try:
            write_zip(sources, partial)
            check = self.check_zip(stack, plan, partial) if self.import_check else "not checked"
            partial.replace(destination)
        finally:
            partial.unlink(missing_ok=True)
        self._prune(destination.parent)
        artifact = artifact_for(destination, self.repo_root)
        return BuildResult(plan.name, artifact, False, time.perf_counter() - started, check)

    def check_zip(self, stack: Stack, plan: FunctionPlan, zip_path: Path) -> str:
        """Fail unless the handler imports from the extracted zip; say how faithful that was.

        The best check imports with the target Python on the target CPU. When the CPU
        differs (arm64 wheels cannot load on x86_64) or that Python is missing, our
        code still comes from the zip but the dependencies come from wheels for this
        machine, and two structural checks cover the gap: every import reachable from
        the handler resolves to a file in the zip, and every binary is built for the
        target CPU and Python.
        """
        module, _, attribute = stack.lambda_handler(plan.name).rpartition(".")
        with tempfile.TemporaryDirectory(prefix=f"woocom-check-{plan.name}-") as tmp:
            root = Path(tmp)
            with zipfile.ZipFile(zip_path) as archive:
                archive.extractall(root)
            problems = check_structure(root, module, plan.local_packages)
            problems += check_binaries(root, plan.target)
            if problems:
                raise PackagingError(
                    f"{plan.name}: the zip would not import on Lambda:\n"
                    + "\n".join(f"  - {p}" for p in problems)
                )
            interpreter = self._check_interpreter(plan.target)
            faithful = interpreter.faithful_to(plan.target)
            overlay_platform = f"{host_machine()}-manylinux2014"
            boto3 = pinned_version("boto3", TOOLING_LOCK)
            _, overlay = self.deps.install(overlay_platform, interpreter.version, [boto3])
            # The overlay supplies boto3 (the runtime's) and, off-target, this machine's wheels.
            paths = [str(root), str(overlay)] if faithful else [str(overlay), str(root)]
            environment = _check_environment(stack, plan.name)
            self._import_handler(plan, interpreter, paths, environment, module, attribute, root)
        how = f"handler imports with Python {interpreter.version}"
        if faithful:
            return f"{how} on {plan.target.machine}"
        return (
            f"{how} using {host_machine()} wheels; the {plan.target.machine} "
            "binaries were checked structurally"
        )

    def _check_interpreter(self, target: Target) -> CheckInterpreter:
        with self._interpreters_lock:
            if target.python_version not in self._interpreters:
                self._interpreters[target.python_version] = check_interpreter(target)
            return self._interpreters[target.python_version]

    def _import_handler(
        self,
        plan: FunctionPlan,
        interpreter: CheckInterpreter,
        paths: list[str],
        environment: dict[str, str],
        module: str,
        attribute: str,
        root: Path,
    ) -> None:
        probe = [str(interpreter.executable), "-E", "-S", "-B", "-c", _IMPORT_PROBE]
        result = subprocess.run(
            [*probe, json.dumps(paths), module, attribute],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        loaded = Path(result.stdout.strip()) if result.returncode == 0 else None
        if loaded is not None and loaded.is_relative_to(root):
            return
        detail = result.stderr.strip().splitlines()[-12:] or [f"handler loaded from {loaded}"]
        raise PackagingError(
            f"{plan.name}: handler {module}.{attribute} does not import from the built zip "
            f"(Python {interpreter.version}):\n"
            + "\n".join(f"    {line}" for line in detail)
            + "\nFix the import error above; a handler must import without calling AWS."
        )

    def _prune(self, folder: Path) -> None:
        zips = sorted(folder.glob("*.zip"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in zips[KEEP_PER_FUNCTION:]:
            stale.unlink(missing_ok=True)

    def _write_manifest(self, manifest: Manifest) -> None:
        write_atomic(self.manifest_path, manifest.model_dump_json(indent=2) + "\n")

    def _display(self, path: Path) -> str:
        return display_path(path, self.repo_root)


def _check_environment(stack: Stack, name: str) -> dict[str, str]:
    """What the function gets on Lambda, with placeholder names and an unreachable endpoint.

    Importing a handler must not reach AWS; the dead endpoint turns an accidental
    call at import time into a quick failure instead of a call to a real account.
    """
    fn = stack.function(name)
    prefix = f"{stack.name}-package-check"
    account_url = f"https://sqs.{REGION}.amazonaws.com/000000000000"
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "package-check",
        "AWS_SECRET_ACCESS_KEY": "package-check",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "WOOCOM_ENV": "package-check",
        "LOG_LEVEL": "INFO",
        **resource_environment(
            fn.permissions,
            {t: f"{prefix}-{t}" for t in stack.tables},
            {b: f"{prefix}-{b}" for b in stack.buckets},
            {q: f"{account_url}/{prefix}-{q}" for q in stack.queues},
        ),
        **fn.environment,
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="woocom package", description=__doc__)
    parser.add_argument(
        "--repo-root", type=Path, default=REPO_ROOT, help="checkout to package (default: this one)"
    )
    parser.add_argument(
        "--build-dir", type=Path, help="where zips and the manifest go (default: .woocom/build)"
    )
    parser.add_argument(
        "--skip-import-check",
        action="store_true",
        help="do not import handlers from the new zips (faster; CI never uses this)",
    )
    args = parser.parse_args(argv)
    root = args.repo_root.resolve()
    try:
        stack = load_stack(root / STACK_FILE.name)
    except StackError as exc:
        print(exc, file=sys.stderr)
        return 2
    packager = Packager(root, args.build_dir, import_check=not args.skip_import_check)
    print(
        f"packaging {len(stack.functions)} function(s) into {packager.build_dir} "
        f"(zlib {zlib.ZLIB_RUNTIME_VERSION}, deflate level {COMPRESS_LEVEL})"
    )
    try:
        packager.build(stack)
    except PackagingError as exc:
        print(f"packaging failed: {exc}", file=sys.stderr)
        return 1
    return 0
