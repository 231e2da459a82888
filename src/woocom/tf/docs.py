"""`python -m woocom.tf.docs`: the inputs/outputs tables of each module README, from the code.

Reads variables.tf and outputs.tf (as `terraform fmt` writes them) and rewrites
the part of README.md between the BEGIN/END markers. `--check` only reports
stale READMEs; a unit test runs it so the tables can never drift from the code.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from woocom.paths import REPO_ROOT

MODULES_DIR = REPO_ROOT / "terraform" / "modules"
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"

_BLOCK = re.compile(r'^(variable|output) "([^"]+)" \{$')
_ATTRIBUTE = re.compile(r"^  ([a-z_]+)\s*=\s*(.*)$")
_NESTED_BLOCK = re.compile(r"^  [a-z_]+ \{$")


@dataclass(frozen=True)
class Entry:
    kind: str
    name: str
    attributes: dict[str, str]

    @property
    def description(self) -> str:
        return _unquote(self.attributes.get("description", ""))


def parse(text: str) -> Iterator[Entry]:
    """Top-level variable/output blocks and their top-level attributes (raw HCL text)."""
    lines = iter(text.splitlines())
    for line in lines:
        match = _BLOCK.match(line)
        if match:
            yield Entry(match[1], match[2], _attributes(lines))


def _attributes(lines: Iterator[str]) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if line == "}":
            break
        if _NESTED_BLOCK.match(line):  # validation { ... }: not an attribute
            current = None
            for inner in lines:
                if inner == "  }":
                    break
            continue
        match = _ATTRIBUTE.match(line)
        if match:
            current = found.setdefault(match[1], [])
            current.append(match[2])
        elif current is not None and line.strip():
            current.append(line.strip())
    return {key: _join(parts) for key, parts in found.items()}


def _join(parts: list[str]) -> str:
    """One line of HCL from several: `object({a = string, b = number})`."""
    text = parts[0]
    for part in parts[1:]:
        opening = text.endswith(("(", "{", "["))
        closing = part.startswith((")", "}", "]"))
        text += part if opening or closing else f", {part}"
    return re.sub(r"\s+", " ", text)


def _unquote(value: str) -> str:
    return value[1:-1].replace('\\"', '"') if value.startswith('"') else value


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def tables(module: Path) -> str:
    inputs = list(parse((module / "variables.tf").read_text()))
    outputs = list(parse((module / "outputs.tf").read_text()))
    rows = [
        "## Inputs",
        "",
        "| name | type | default | description |",
        "|---|---|---|---|",
    ]
    for entry in inputs:
        default = entry.attributes.get("default")
        shown = "required" if default is None else f"`{_cell(default)}`"
        kind = _cell(entry.attributes.get("type", "any"))
        rows.append(f"| `{entry.name}` | `{kind}` | {shown} | {_cell(entry.description)} |")
    rows += ["", "## Outputs", "", "| name | description |", "|---|---|"]
    rows += [f"| `{entry.name}` | {_cell(entry.description)} |" for entry in outputs]
    return "\n".join(rows)


def render(readme: str, module: Path) -> str:
    if BEGIN not in readme or END not in readme:
        raise ValueError(f"{module / 'README.md'} has no {BEGIN} ... {END} markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{tables(module)}\n{END}{tail}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m woocom.tf.docs", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report stale READMEs, change nothing")
    parser.add_argument("--modules", type=Path, default=MODULES_DIR)
    args = parser.parse_args(argv)
    stale = []
    for module in sorted(p for p in args.modules.iterdir() if (p / "variables.tf").is_file()):
        readme_path = module / "README.md"
        current = readme_path.read_text()
        wanted = render(current, module)
        if wanted != current:
            stale.append(readme_path)
            if not args.check:
                readme_path.write_text(wanted)
    if stale and args.check:
        names = ", ".join(str(p.relative_to(args.modules)) for p in stale)
        print(f"stale module READMEs: {names}; run `python -m woocom.tf.docs`", file=sys.stderr)
        return 1
    for path in stale:
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
