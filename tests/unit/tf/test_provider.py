"""The stand-in provider's gRPC servicer, called in-process as Terraform would call it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import tf.provider
from tf import runner
from tf.gen import tfplugin_pb2 as pb
from tf.provider import ProviderServicer
from tf.utils import to_dynamic_value

from woocom.tf import provider as standin
from woocom.tf.provider import (
    REFUSAL,
    StandinProvider,
    StandinServicer,
    build_messages,
    cached_messages,
)

SCHEMA: dict[str, Any] = {
    "provider_config": {"arguments": {"region": "string"}},
    "resources": {
        "aws_sqs_queue": {
            "required": {"name": "string"},
            "arguments": {"tags": ["map", "string"]},
            "computed": {"arn": "string"},
            "blocks": {"redrive": {"max": 1, "min": 1, "required": {"target": "string"}}},
        }
    },
    "data_sources": {"aws_region": {"computed": {"name": "string"}}},
}


@pytest.fixture
def servicer() -> ProviderServicer:
    return StandinServicer(StandinProvider(SCHEMA))


def test_the_schema_may_be_cached_by_terraform(servicer: ProviderServicer) -> None:
    """Terraform reuses a schema across provider instances only if its response says so."""
    response = servicer.GetProviderSchema(pb.GetProviderSchema.Request(), None)
    assert response.server_capabilities.get_provider_schema_optional
    metadata = servicer.GetMetadata(pb.GetMetadata.Request(), None)
    assert response.server_capabilities == metadata.server_capabilities


def test_the_provider_is_served_by_the_standin_servicer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tf.provider, "ProviderServicer", tf.provider.ProviderServicer)
    served: list[type[ProviderServicer]] = []
    # run_provider would start the gRPC server: record which servicer it would build.
    monkeypatch.setattr(
        runner, "run_provider", lambda _: served.append(tf.provider.ProviderServicer)
    )
    standin.serve(StandinProvider(SCHEMA))
    assert served == [StandinServicer]


def test_schema_carries_types_modes_and_list_nesting(servicer: ProviderServicer) -> None:
    response = servicer.GetProviderSchema(pb.GetProviderSchema.Request(), None)
    queue = response.resource_schemas["aws_sqs_queue"].block
    attributes = {a.name: a for a in queue.attributes}
    assert attributes["name"].required
    assert attributes["tags"].optional
    assert json.loads(attributes["tags"].type) == ["map", "string"]
    assert attributes["arn"].computed
    assert not attributes["arn"].optional
    (redrive,) = queue.block_types
    assert redrive.type_name == "redrive"
    assert redrive.nesting == pb.Schema.NestedBlock.NestingMode.LIST
    assert (redrive.min_items, redrive.max_items) == (1, 1)
    assert set(response.data_source_schemas) == {"aws_region"}
    assert [a.name for a in response.provider.block.attributes] == ["region"]


def test_setting_a_read_only_attribute_is_an_error(servicer: ProviderServicer) -> None:
    request = pb.ValidateResourceConfig.Request(
        type_name="aws_sqs_queue", config=to_dynamic_value({"name": "orders", "arn": "arn:x"})
    )
    response = servicer.ValidateResourceConfig(request, None)
    assert [d.summary for d in response.diagnostics] == [
        "Field aws_sqs_queue.arn is read-only and should not be set"
    ]


def test_valid_configuration_passes(servicer: ProviderServicer) -> None:
    request = pb.ValidateResourceConfig.Request(
        type_name="aws_sqs_queue", config=to_dynamic_value({"name": "orders", "tags": None})
    )
    assert list(servicer.ValidateResourceConfig(request, None).diagnostics) == []
    data = pb.ValidateDataResourceConfig.Request(
        type_name="aws_region", config=to_dynamic_value({})
    )
    assert list(servicer.ValidateDataResourceConfig(data, None).diagnostics) == []


def test_configuring_is_refused_so_nothing_can_be_planned(servicer: ProviderServicer) -> None:
    request = pb.ConfigureProvider.Request(config=to_dynamic_value({"region": "us-east-1"}))
    (diagnostic,) = servicer.ConfigureProvider(request, None).diagnostics
    assert diagnostic.severity == pb.Diagnostic.ERROR
    assert diagnostic.detail == REFUSAL
    assert "WOOCOM_TF_PROVIDER=real" in REFUSAL


def test_resource_operations_refuse() -> None:
    provider = StandinProvider(SCHEMA)
    (queue_type,) = provider.get_resources()
    queue = provider.new_resource(queue_type)
    with pytest.raises(RuntimeError, match="cannot plan or apply"):
        queue.create(None, {})
    assert provider.full_name() == "registry.terraform.io/hashicorp/aws"


def test_schema_messages_are_cached_by_digest(tmp_path: Path) -> None:
    first = cached_messages(SCHEMA, "0123456789abcdef0123", tmp_path)
    (cache,) = tmp_path.iterdir()
    assert cache.name == "standin-schema-0123456789abcdef.pb"
    again = cached_messages(SCHEMA, "0123456789abcdef0123", tmp_path)
    assert again == first == build_messages(SCHEMA)
    assert list(again.resource_schemas) == ["aws_sqs_queue"]
