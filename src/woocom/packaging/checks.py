"""Static checks of a zip: imports resolve inside it, binaries suit the target CPU."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from woocom.config import (
    SHARED_PACKAGE,
)
from woocom.packaging.base import (
    RUNTIME_PROVIDED,
)
from woocom.packaging.target import Target
from woocom.packaging.zips import is_excluded

_ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64"}


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
