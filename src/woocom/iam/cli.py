"""`python -m woocom iam`: render every IAM document and check it, offline.

1. render: terraform/bootstrap/policies for the sample production, staging and test
   accounts -> .woocom/iam/<account>/*.json (woocom.iam.render), and the roles of
   terraform/stack in staging -> staging/function-<name>.json, role-alarms-chatbot.json
   and stack-roles.json (each role's boundary) (woocom.iam.functions);
2. evaluate: every positive and negative case of woocom.iam.cases, each role policy under
   its boundary, and the deploy identity creating each role of the stack as declared;
3. lint: parliament and cloudsplaining on every document, each finding covered by
   terraform/bootstrap/policies/reviewed-findings.yaml (woocom.iam.lint).

It prints the counts and exits 1 on any wrong decision. `nox -s iam` runs this, then
the tests of tests/unit/iam (the same cases, one test per subject, plus the findings).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from woocom.iam import cases, lint
from woocom.iam.functions import stack_roles
from woocom.iam.render import IAM_DIR, render


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="woocom iam", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=IAM_DIR, help="where the JSON goes")
    args = parser.parse_args(argv)

    rendered = render(args.out)
    documents = sum(len(docs) for docs in rendered.values())
    print(
        f"rendered {documents} documents under {args.out}/: "
        + ", ".join(f"{name} {len(docs)}" for name, docs in rendered.items())
    )
    everything = cases.with_everything(rendered)
    counts: Counter[str] = Counter()
    wrong = []
    derived = [
        *cases.function_cases(rendered),
        *cases.role_policy_cases(rendered),
        *cases.role_cases(stack_roles(args.out)),
    ]
    every = [*cases.all_cases(), *(("positive", c) for c in derived)]
    for kind, case in every:
        counts[kind] += 1
        if not case.holds(everything):
            wrong.append(f"  {kind}: {case.label}: got {case.decide(everything)}")
    print(
        f"cases: {counts['positive']} positive, {counts['negative']} negative, {len(wrong)} wrong"
    )
    report = lint.lint(rendered)
    by_tool = ", ".join(f"{tool} {count}" for tool, count in report.counts().items())
    print(
        f"findings: {by_tool}; {len(report.unreviewed)} not reviewed, "
        f"{len(report.stale)} stale reviews"
    )
    if wrong:
        print("\n".join(wrong), file=sys.stderr)
    if not report.ok:
        print(report.describe(), file=sys.stderr)
    return 1 if wrong or not report.ok else 0
