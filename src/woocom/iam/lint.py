"""parliament and cloudsplaining over every rendered document, against one reviewed list.

Each finding is (tool, issue, <account>/<document>). A finding passes only if an entry
of terraform/bootstrap/policies/reviewed-findings.yaml covers it (tool, issue and a
glob over the document) with a reason; an entry that covers nothing is stale and fails
too, so the list never outlives the policies it excuses.

parliament (duo-labs) checks each statement's actions against its resource types and
conditions; cloudsplaining (salesforce) flags privilege escalation, data exfiltration,
credentials and resource exposure, infrastructure modification and service
wildcards. Trust and resource policies go to parliament only: cloudsplaining reads
identity policies.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from woocom.iam.render import POLICIES_MODULE, Documents
from woocom.paths import STATE_DIR

REVIEWED = POLICIES_MODULE / "reviewed-findings.yaml"
LINT_CACHE = STATE_DIR / "iam-lint"

# cloudsplaining PolicyDocument properties => issue name
_CLOUDSPLAINING = {
    "allows_privilege_escalation": "PRIVILEGE_ESCALATION",
    "allows_data_exfiltration_actions": "DATA_EXFILTRATION",
    "credentials_exposure": "CREDENTIALS_EXPOSURE",
    "permissions_management_without_constraints": "RESOURCE_EXPOSURE",
    "infrastructure_modification": "INFRASTRUCTURE_MODIFICATION",
    "service_wildcard": "SERVICE_WILDCARD",
}


@dataclass(frozen=True)
class Finding:
    tool: str
    issue: str
    document: str  # <account>/<document>
    detail: str

    def line(self) -> str:
        return f"{self.tool} {self.issue} {self.document}: {self.detail[:160]}"


@dataclass(frozen=True)
class Review:
    tool: str
    issue: str
    documents: tuple[str, ...]
    reason: str

    def covers(self, finding: Finding) -> bool:
        return (
            self.tool == finding.tool
            and self.issue == finding.issue
            and any(fnmatch.fnmatchcase(finding.document, glob) for glob in self.documents)
        )


def load_reviews(path: Path = REVIEWED) -> list[Review]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    reviews = []
    for entry in entries:
        reason = str(entry.get("reason", "")).strip()
        if len(reason) < 20:
            raise ValueError(f"{path}: {entry.get('tool')} {entry.get('issue')} needs a reason")
        reviews.append(
            Review(
                entry["tool"], entry["issue"], tuple(entry["documents"]), " ".join(reason.split())
            )
        )
    return reviews


def _is_identity_policy(document: Mapping[str, Any]) -> bool:
    return not any("Principal" in statement for statement in document["Statement"])


def parliament_findings(name: str, document: Mapping[str, Any]) -> list[Finding]:
    """parliament with its community auditors (privilege escalation paths and more).

    Those take ~10 s on a deploy policy, so results are cached by the document's text
    and parliament's version under .woocom/iam-lint/: an unchanged policy is not re-read.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # parliament imports pkg_resources
        import parliament  # type: ignore[import-untyped]

    text = json.dumps(document, sort_keys=True)
    key = hashlib.sha256(f"{parliament.__version__}\n{text}".encode()).hexdigest()
    cached = LINT_CACHE / f"parliament-{key}.json"
    if cached.is_file():
        found = json.loads(cached.read_text(encoding="utf-8"))
    else:
        policy = parliament.analyze_policy_string(text, include_community_auditors=True)
        found = [
            [f.issue, json.dumps(f.detail, sort_keys=True, default=str)] for f in policy.findings
        ]
        LINT_CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(found), encoding="utf-8")
    return [Finding("parliament", issue, name, detail) for issue, detail in found]


def cloudsplaining_findings(name: str, document: Mapping[str, Any]) -> list[Finding]:
    if not _is_identity_policy(document):
        return []
    from cloudsplaining.scan.policy_document import PolicyDocument

    scanned = PolicyDocument(dict(document))
    found = []
    for attribute, issue in _CLOUDSPLAINING.items():
        value = getattr(scanned, attribute)
        if value:
            found.append(Finding("cloudsplaining", issue, name, json.dumps(value, default=str)))
    return found


def findings(rendered: Mapping[str, Documents]) -> list[Finding]:
    found: list[Finding] = []
    for account, documents in rendered.items():
        for name, document in sorted(documents.items()):
            found += parliament_findings(f"{account}/{name}", document)
            found += cloudsplaining_findings(f"{account}/{name}", document)
    return found


@dataclass(frozen=True)
class LintReport:
    findings: list[Finding]
    unreviewed: list[Finding]
    stale: list[Review]

    @property
    def ok(self) -> bool:
        return not self.unreviewed and not self.stale

    def counts(self) -> dict[str, int]:
        by_tool: dict[str, int] = {"parliament": 0, "cloudsplaining": 0}
        for finding in self.findings:
            by_tool[finding.tool] += 1
        return by_tool

    def describe(self) -> str:
        lines = [f"unreviewed: {f.line()}" for f in self.unreviewed]
        lines += [
            f"stale review (covers nothing): {r.tool} {r.issue} {r.documents}" for r in self.stale
        ]
        return "\n".join(lines)


def lint(rendered: Mapping[str, Documents], reviews: Iterable[Review] | None = None) -> LintReport:
    reviews = list(load_reviews() if reviews is None else reviews)
    found = findings(rendered)
    unreviewed = [f for f in found if not any(r.covers(f) for r in reviews)]
    stale = [r for r in reviews if not any(r.covers(f) for f in found)]
    return LintReport(found, unreviewed, stale)
