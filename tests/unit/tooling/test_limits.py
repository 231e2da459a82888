"""Every limit of stack.yaml is written once, in the model, and enforced there with its key path.

The walk goes through the model's fields alongside FULL, a stack that sets every
field: each numeric field must take its constraint from one named limit of
`woocom.config.LIMITS` (so no limit is written twice), and a value just outside
each bound must be refused by `load_stack`, naming exactly that key. That the
values inside the bounds deploy is proved by tests/terraform/test_stack_document.py,
which plans a stack at the edges with Terraform.
"""

from __future__ import annotations

import copy
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import annotated_types
import pytest
import yaml
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from woocom.config import LIMITS, LOG_RETENTION_DAYS, Stack, StackError, load_stack
from woocom.paths import REPO_ROOT

FULL: dict[str, Any] = {
    "name": "shop",
    "defaults": {
        "runtime": "python3.13",
        "architecture": "arm64",
        "memory": 256,
        "timeout": 10,
        "log_retention_days": 30,
    },
    "tables": {
        "main": {
            "hash_key": "pk",
            "range_key": "sk",
            "billing_mode": "PROVISIONED",
            "read_capacity": 5,
            "write_capacity": 5,
            "ttl_attribute": "expires_at",
            "stream": "NEW_IMAGE",
            "indexes": {
                "by_kind": {
                    "hash_key": "kind",
                    "range_key": "pk",
                    "projection": "ALL",
                    "read_capacity": 2,
                    "write_capacity": 2,
                }
            },
        }
    },
    "buckets": {"drops": {"versioning": True, "expire_after_days": 7}},
    "queues": {
        "jobs": {
            "visibility_timeout": 120,
            "retention_days": 4,
            "dlq": {"max_receive_count": 3, "retention_days": 14},
        }
    },
    "secrets": {"api_key": {"description": "the provider's key"}},
    "functions": {
        "work": {
            "description": "does everything",
            "folder": "work",
            "handler": "handler.handle",
            "runtime": "python3.12",
            "architecture": "x86_64",
            "memory": 512,
            "timeout": 60,
            "log_retention_days": 14,
            "reserved_concurrency": 2,
            "environment": {"GREETING": "hello"},
            "triggers": {
                "api": [{"route": "GET /things", "auth": "public"}],
                "schedule": [{"expression": "rate(5 minutes)", "enabled": True}],
                "s3": [{"bucket": "drops", "prefix": "in/", "suffix": ".csv"}],
                "sqs": [{"queue": "jobs", "batch_size": 5, "batching_window": 1}],
            },
            "permissions": {
                "table": {"main": "read_write"},
                "bucket": {"drops": "read"},
                "queue": {"jobs": "send"},
                "secret": {"api_key": "read"},
            },
        }
    },
}

Path_ = tuple[str | int, ...]


def constraints(field: FieldInfo) -> tuple[Any, ...]:
    """The numeric constraints of a field, wherever pydantic keeps them."""
    found: list[Any] = list(field.metadata) if field.annotation is int else []
    for arg in typing.get_args(field.annotation):  # `Limit | None`
        if typing.get_origin(arg) is typing.Annotated and typing.get_args(arg)[0] is int:
            for meta in typing.get_args(arg)[1:]:
                found.extend(meta.metadata if isinstance(meta, FieldInfo) else [meta])
    return tuple(
        m for m in found if isinstance(m, annotated_types.Ge | annotated_types.Le | AfterValidator)
    )


def limit_constraints(alias: Any) -> tuple[Any, ...]:
    found: list[Any] = []
    for meta in typing.get_args(alias)[1:]:
        found.extend(meta.metadata if isinstance(meta, FieldInfo) else [meta])
    return tuple(found)


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds directly, in a list, a dict or an Optional."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if (found := model_of(arg)) is not None:
            return found
    return None


def numeric_fields(
    model: type[BaseModel], data: Any, path: Path_
) -> Iterator[tuple[Path_, FieldInfo]]:
    """Every constrained numeric field under `model`, with its key path in `data`."""
    for name, field in model.model_fields.items():
        inner = model_of(field.annotation)
        if inner is not None:
            assert name in data, f"FULL must set {'.'.join(map(str, (*path, name)))}"
            value = data[name]
            origin = typing.get_origin(field.annotation)
            if origin is dict:
                key = next(iter(value))
                yield from numeric_fields(inner, value[key], (*path, name, key))
            elif origin is list:
                yield from numeric_fields(inner, value[0], (*path, name, 0))
            else:
                yield from numeric_fields(inner, value, (*path, name))
        elif constraints(field):
            assert name in data, f"FULL must set {'.'.join(map(str, (*path, name)))}"
            yield (*path, name), field


FIELDS = list(numeric_fields(Stack, FULL, ()))
LIMIT_OF = {limit_constraints(alias): name for name, alias in LIMITS.items()}


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    (tmp_path / "functions" / "work").mkdir(parents=True, exist_ok=True)
    (tmp_path / "functions" / "work" / "handler.py").write_text("def handle(e, c):\n    pass\n")
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def set_at(data: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    node: Any = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


def test_full_stack_is_valid(tmp_path: Path) -> None:
    load_stack(write(tmp_path, FULL))


def test_the_walk_finds_every_numeric_setting() -> None:
    found = {".".join(map(str, path)) for path, _ in FIELDS}
    assert found == {
        "defaults.memory",
        "defaults.timeout",
        "defaults.log_retention_days",
        "tables.main.read_capacity",
        "tables.main.write_capacity",
        "tables.main.indexes.by_kind.read_capacity",
        "tables.main.indexes.by_kind.write_capacity",
        "buckets.drops.expire_after_days",
        "queues.jobs.visibility_timeout",
        "queues.jobs.retention_days",
        "queues.jobs.dlq.max_receive_count",
        "queues.jobs.dlq.retention_days",
        "functions.work.memory",
        "functions.work.timeout",
        "functions.work.log_retention_days",
        "functions.work.reserved_concurrency",
        "functions.work.triggers.sqs.0.batch_size",
        "functions.work.triggers.sqs.0.batching_window",
    }


@pytest.mark.parametrize(("path", "field"), FIELDS, ids=[".".join(map(str, p)) for p, _ in FIELDS])
def test_each_limit_comes_from_one_named_definition(path: Path_, field: FieldInfo) -> None:
    assert constraints(field) in LIMIT_OF, (
        f"{'.'.join(map(str, path))} has its own constraint {constraints(field)}: "
        "use (or add) a named limit in woocom.config.LIMITS"
    )


def bounds(field: FieldInfo) -> list[int]:
    """Values just outside each bound (or, for a list of allowed values, one between them)."""
    outside: list[int] = []
    for meta in constraints(field):
        if isinstance(meta, annotated_types.Ge):
            outside.append(int(meta.ge) - 1)
        elif isinstance(meta, annotated_types.Le):
            outside.append(int(meta.le) + 1)
        else:
            outside += [0, 2, LOG_RETENTION_DAYS[-1] + 1]
    return outside


CASES = [(path, value) for path, field in FIELDS for value in bounds(field)]


@pytest.mark.parametrize(
    ("path", "value"), CASES, ids=[f"{'.'.join(map(str, p))}={v}" for p, v in CASES]
)
def test_a_value_outside_the_limit_is_refused_at_its_key(
    tmp_path: Path, path: Path_, value: int
) -> None:
    with pytest.raises(StackError) as caught:
        load_stack(write(tmp_path, set_at(FULL, path, value)))
    where = ".".join(map(str, path))
    assert any(re.match(rf"{re.escape(where)} \(line \d+\): ", p) for p in caught.value.problems), (
        caught.value.problems
    )


def test_retention_lists_cloudwatch_periods(tmp_path: Path) -> None:
    with pytest.raises(StackError) as caught:
        load_stack(write(tmp_path, set_at(FULL, ("defaults", "log_retention_days"), 10)))
    assert "10 is not a CloudWatch Logs retention period (1, 3, 5, 7, 14, 30, 60" in str(
        caught.value
    )


TERRAFORM_READERS = [
    REPO_ROOT / "terraform" / "stack" / "main.tf",
    REPO_ROOT / "terraform" / "modules" / "function" / "variables.tf",
    REPO_ROOT / "terraform" / "modules" / "data" / "variables.tf",
]


@pytest.mark.parametrize("tf_file", TERRAFORM_READERS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_terraform_adds_no_default_of_its_own(tf_file: Path) -> None:
    """The document is fully defaulted: HCL reading it needs no try(), no optional(x, default)."""
    text = tf_file.read_text()
    assert "try(" not in text
    assert "yamldecode" not in text
    assert not re.search(r"optional\([^()]*(\([^()]*\))?[^()]*,", text), "optional() with a default"
