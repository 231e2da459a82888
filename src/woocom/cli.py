"""`python -m woocom <command>`: the entry point every nox session calls.

Each command lives in its own module; this file only dispatches, importing the
module lazily so `woocom check` never pays for the local runtime's imports.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

# command -> (module, one-line help). Each module exposes `main(argv) -> int`.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("woocom.check", "validate stack.yaml and print a summary of functions and triggers"),
    "dev": ("woocom.local.cli", "run the platform locally on the embedded emulator"),
    "invoke": ("woocom.local.invoke", "run one function once against the local stack"),
    "package": ("woocom.packaging", "build one reproducible zip per function"),
    "validate": ("woocom.tf.validate", "validate Terraform offline: fmt, validate, test, checkov"),
    "provider-schema": ("woocom.tf.schema", "regenerate the offline hashicorp/aws schema"),
    "plan": ("woocom.deploy", "plan an environment"),
    "deploy": ("woocom.deploy", "plan and apply an environment"),
    "destroy": ("woocom.deploy", "destroy a preview or developer stack"),
    "bench": ("woocom.bench", "run the benchmarks and write benchmarks/results.json"),
    "iam": ("woocom.iam.cli", "render every IAM document to .woocom/iam and check it offline"),
    "access-request": ("woocom.iam.access", "grant break glass to one person for minutes"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    rows = "\n".join(f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items())
    return f"usage: python -m woocom <command> [args]\n\ncommands:\n{rows}\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(usage())
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        sys.stderr.write(f"unknown command {command!r}\n\n{usage()}")
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    if COMMANDS[command][0] == "woocom.deploy":
        rest = [command, *rest]
    result: int = module.main(rest)
    return result
