"""The Packager: plan, build, import-check and name each function's zip."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from woocom.atomic import write_atomic
from woocom.config import (
    FUNCTIONS_DIR,
    SHARED_PACKAGE,
    Stack,
    resource_environment,
)
from woocom.emulated import REGION
from woocom.packaging.base import (
    FORMAT_VERSION,
    KEEP_PER_FUNCTION,
    MANIFEST_NAME,
    RUNTIME_LOCK,
    TOOLING_LOCK,
    PackagingError,
)
from woocom.packaging.bytecode import Bytecode, compile_sources
from woocom.packaging.checks import (
    check_binaries,
    check_structure,
    imports_shared_package,
)
from woocom.packaging.deps import DependencyCache, pinned_version
from woocom.packaging.interpreters import (
    IMPORT_PROBE,
    CheckInterpreter,
    check_interpreter,
)
from woocom.packaging.manifest import Artifact, Manifest, artifact_for
from woocom.packaging.target import Target, host_machine
from woocom.packaging.zips import SourceFile, collect_tree, write_zip
from woocom.paths import BUILD_DIR, REPO_ROOT, display_path


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
    # The interpreter that compiles the zip's bytecode, None for a zip of sources only.
    compiler: CheckInterpreter | None = None


class Packager:
    """Builds the zips of a stack. Paths are parameters so tests can build from a copy."""

    def __init__(
        self,
        repo_root: Path = REPO_ROOT,
        build_dir: Path | None = None,
        *,
        deps_dir: Path | None = None,
        import_check: bool = True,
        bytecode: Bytecode = "auto",
        progress: Callable[[str], None] = print,
    ) -> None:
        self.repo_root = repo_root
        self.functions_dir = repo_root / FUNCTIONS_DIR.relative_to(REPO_ROOT)
        self.build_dir = build_dir or repo_root / BUILD_DIR.relative_to(REPO_ROOT)
        self.import_check = import_check
        self.bytecode = bytecode
        self.progress = progress
        self.deps = DependencyCache(
            deps_dir or self.build_dir / "deps", self.functions_dir / RUNTIME_LOCK.name, progress
        )
        # Finding one runs every candidate interpreter (~0.3 s): once per Python, not per zip.
        self._interpreters: dict[str, CheckInterpreter] = {}
        self._interpreters_lock = threading.Lock()
        self._full_versions: dict[Path, str] = {}

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
        compiler = self._compiler(target)
        # The compiler's full version names the zip: its pycs are part of the content.
        compiled_by = self._full_version(compiler.executable) if compiler else "none"
        material = [f"format {FORMAT_VERSION}", f"target {target}", f"deps {deps_key}"]
        material += [f"bytecode {compiled_by}"]
        material += [source.describe() for source in sources]
        digest = hashlib.sha256("\n".join(material).encode()).hexdigest()
        return FunctionPlan(name, target, sources, tuple(local), deps_key, digest, compiler)

    def _compiler(self, target: Target) -> CheckInterpreter | None:
        """The target Python when bytecode is wanted and one is here, else None (or refuse)."""
        if self.bytecode == "never":
            return None
        interpreter = self._check_interpreter(target)
        if interpreter.version == target.python_version:
            return interpreter
        if self.bytecode == "always":
            raise PackagingError(
                f"--bytecode always needs Python {target.python_version} to compile for "
                f"{target}, and none was found (PATH, pyenv, uv, or "
                f"WOOCOM_PYTHON_{target.python_version.replace('.', '_')}): install it "
                "(in GitHub Actions: actions/setup-python) or pass --bytecode auto"
            )
        return None

    def _full_version(self, executable: Path) -> str:
        with self._interpreters_lock:
            if executable not in self._full_versions:
                probe = [str(executable), "-E", "-S", "-c", "import sys; print(sys.version)"]
                done = subprocess.run(probe, capture_output=True, text=True, check=True)
                self._full_versions[executable] = done.stdout.split()[0]
            return self._full_versions[executable]

    def zip_path(self, plan: FunctionPlan) -> Path:
        return self.build_dir / "functions" / plan.name / f"{plan.inputs_digest[:24]}.zip"

    def build(self, stack: Stack) -> Manifest:
        started = time.perf_counter()
        plans = [self.plan(stack, name) for name in stack.functions]
        width = max(len(p.name) for p in plans)
        # Two workers: compression releases the GIL; the machine is shared.
        results: list[BuildResult] = []
        failed: dict[str, str] = {}
        with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            futures = [(p.name, pool.submit(self._build_one, stack, p)) for p in plans]
            for name, future in futures:
                try:
                    result = future.result()
                except PackagingError as exc:
                    # The others go on: one run names every function that needs a fix.
                    failed[name] = str(exc)
                    self.progress(f"  {name:<{width}}  FAILED")
                    continue
                state = "reused" if result.reused else "built "
                self.progress(
                    f"  {result.name:<{width}}  {state}  {result.artifact.size / 1e6:6.2f} MB  "
                    f"{result.seconds:5.2f} s  {result.check}"
                )
                results.append(result)
        if failed:
            raise PackagingError(_summary(failed, len(plans)))
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
            with tempfile.TemporaryDirectory(prefix=f"woocom-pyc-{plan.name}-") as pyc_dir:
                if plan.compiler is not None:
                    version = plan.target.python_version
                    compiled = compile_sources(
                        sources, plan.compiler.executable, version, Path(pyc_dir)
                    )
                    sources = sources + compiled
                write_zip(sources, partial)
            check = self.check_zip(stack, plan, partial) if self.import_check else "not checked"
            if plan.compiler is None:
                check += "; no bytecode (each cold start compiles)"
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
        probe = [str(interpreter.executable), "-E", "-S", "-B", "-c", IMPORT_PROBE]
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
            {s: f"{prefix}-{s}" for s in stack.secrets},
        ),
        **fn.environment,
    }


def _summary(failed: dict[str, str], total: int) -> str:
    """Every failure once; functions stopped by one cause (a lock uv cannot install) share it."""
    causes: dict[str, list[str]] = {}
    for name, message in failed.items():
        causes.setdefault(message, []).append(name)
    lines = [f"{len(failed)} of {total} function{'s' if total != 1 else ''} failed:"]
    for message, names in causes.items():
        # Most messages already start with their function's name.
        named = len(names) == 1 and message.startswith(f"{names[0]}:")
        lines.append(message if named else f"{', '.join(names)}: {message}")
    return "\n".join(lines)
