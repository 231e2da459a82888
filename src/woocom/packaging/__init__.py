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

from woocom.packaging.base import FORMAT_VERSION, RUNTIME_LOCK, PackagingError
from woocom.packaging.build import BuildResult, FunctionPlan, Packager
from woocom.packaging.bytecode import Bytecode, compile_sources, pyc_name
from woocom.packaging.checks import (
    check_binaries,
    check_structure,
    imports_shared_package,
    runtime_imports,
)
from woocom.packaging.cli import main
from woocom.packaging.deps import DependencyCache, pinned_version, uv_binary
from woocom.packaging.interpreters import CheckInterpreter, check_interpreter, find_python
from woocom.packaging.manifest import Artifact, Manifest, artifact_for, read_manifest
from woocom.packaging.target import Target, host_machine
from woocom.packaging.zips import SourceFile, collect_tree, is_excluded, write_zip

__all__ = [
    "FORMAT_VERSION",
    "RUNTIME_LOCK",
    "Artifact",
    "BuildResult",
    "Bytecode",
    "CheckInterpreter",
    "DependencyCache",
    "FunctionPlan",
    "Manifest",
    "Packager",
    "PackagingError",
    "SourceFile",
    "Target",
    "artifact_for",
    "check_binaries",
    "check_interpreter",
    "check_structure",
    "collect_tree",
    "compile_sources",
    "find_python",
    "host_machine",
    "imports_shared_package",
    "is_excluded",
    "main",
    "pinned_version",
    "pyc_name",
    "read_manifest",
    "runtime_imports",
    "uv_binary",
    "write_zip",
]
