"""Module README tables are generated from variables.tf/outputs.tf and kept current."""

from __future__ import annotations

from pathlib import Path

import pytest

from woocom.tf import docs

VARIABLES = """\
variable "queues" {
  type = map(object({
    arn    = string
    access = string
  }))
  description = "Queues: ARN and access (send | consume)."
  default     = {}

  validation {
    condition     = length(var.queues) < 10
    error_message = "at most 9 queues"
  }
}

variable "name" {
  type        = string
  description = "Name of \\"it\\"."
}
"""

OUTPUTS = """\
output "arn" {
  description = "ARN of the thing."
  value       = aws_thing.this.arn
}
"""


@pytest.fixture
def module(tmp_path: Path) -> Path:
    folder = tmp_path / "thing"
    folder.mkdir()
    (folder / "variables.tf").write_text(VARIABLES)
    (folder / "outputs.tf").write_text(OUTPUTS)
    (folder / "README.md").write_text(f"# thing\n\n{docs.BEGIN}\nold\n{docs.END}\n\nmore prose\n")
    return folder


def test_committed_module_readmes_match_the_code() -> None:
    assert docs.main(["--check"]) == 0, "run `python -m woocom.tf.docs`"


def test_tables_from_variables_and_outputs(module: Path) -> None:
    assert docs.tables(module).splitlines() == [
        "## Inputs",
        "",
        "| name | type | default | description |",
        "|---|---|---|---|",
        "| `queues` | `map(object({arn = string, access = string}))` | `{}` | "
        "Queues: ARN and access (send \\| consume). |",
        '| `name` | `string` | required | Name of "it". |',
        "",
        "## Outputs",
        "",
        "| name | description |",
        "|---|---|",
        "| `arn` | ARN of the thing. |",
    ]


def test_stale_readme_is_reported_then_rewritten(
    module: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert docs.main(["--check", "--modules", str(module.parent)]) == 1
    assert "stale module READMEs: thing/README.md" in capsys.readouterr().err
    assert docs.main(["--modules", str(module.parent)]) == 0
    readme = (module / "README.md").read_text()
    assert "| `arn` | ARN of the thing. |" in readme
    assert readme.endswith("more prose\n")
    assert docs.main(["--check", "--modules", str(module.parent)]) == 0


def test_readme_without_markers_is_an_error(module: Path) -> None:
    (module / "README.md").write_text("# thing\n")
    with pytest.raises(ValueError, match="has no <!-- BEGIN_TF_DOCS -->"):
        docs.main(["--modules", str(module.parent)])
