"""A schema-only stand-in for hashicorp/aws, served with the PyPI `tf` provider framework.

Terraform reaches it through `dev_overrides` (woocom.tf.runner, woocom.tf.standin)
when the registry cannot be reached. It answers what `terraform validate` and
`terraform test` with `mock_provider "aws"` ask of a provider: the schema (from
aws_schema.json.gz, see woocom.tf.schema) and configuration validation. It
refuses to be configured, so `plan` and `apply` stop with a clear message
before anything could be created: the stand-in can never touch AWS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from tf import iface, runner
from tf import schema as tf_schema
from tf.gen import tfplugin_pb2 as pb
from tf.utils import Diagnostics

from woocom.tf.schema import Block, read_schema

PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
REFUSAL = (
    "hashicorp/aws is the offline stand-in here (schema only): it validates "
    "configurations but cannot plan or apply. Run where the Terraform registry is "
    "reachable, or set WOOCOM_TF_PROVIDER=real."
)

_LIST = pb.Schema.NestedBlock.NestingMode.LIST


def block_pb(block: Mapping[str, Any]) -> pb.Schema.Block:
    """A compact block (see woocom.tf.schema) as the plugin protocol's Schema.Block."""
    return pb.Schema.Block(
        attributes=[
            pb.Schema.Attribute(
                name=name,
                type=json.dumps(cty_type).encode(),
                description_kind=pb.StringKind.PLAIN,
                **dict.fromkeys(modes, True),
            )
            for name, cty_type, modes in _attributes(block)
        ],
        block_types=[
            pb.Schema.NestedBlock(
                type_name=name,
                block=block_pb(nested),
                nesting=_LIST,
                min_items=nested.get("min", 0),
                max_items=nested.get("max", 0),
            )
            for name, nested in block.get("blocks", {}).items()
        ],
        description_kind=pb.StringKind.PLAIN,
    )


_MODES = {
    "required": ("required",),
    "arguments": ("optional",),
    "defaulted": ("optional", "computed"),
    "computed": ("computed",),
}


def _attributes(block: Mapping[str, Any]) -> Iterator[tuple[str, Any, tuple[str, ...]]]:
    for section, modes in _MODES.items():
        for name, cty_type in block.get(section, {}).items():
            yield name, cty_type, modes


class CompactSchema(tf_schema.Schema):  # type: ignore[misc]
    """A framework Schema built from a compact block.

    `attributes` and `block_types` carry what the framework's config validation
    reads (names; required/optional/computed); `to_pb` gives Terraform the full
    schema, with the cty types and list nesting the framework's own classes lack.
    """

    def __init__(self, block: Mapping[str, Any]) -> None:
        super().__init__(
            attributes=[
                tf_schema.Attribute(name, _AnyType(), **dict.fromkeys(modes, True))
                for name, _, modes in _attributes(block)
            ],
            block_types=[
                tf_schema.NestedBlock(name, tf_schema.NestMode.Set, tf_schema.Block())
                for name in block.get("blocks", {})
            ],
        )
        self.block = block

    def to_pb(self) -> pb.Schema:
        return pb.Schema(block=block_pb(self.block))


class _AnyType:
    """Validation never encodes values; the real cty type is written by block_pb."""

    def tf_type(self) -> bytes:
        return b'"dynamic"'


class StandinProvider(iface.Provider):  # type: ignore[misc]
    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema

    def get_model_prefix(self) -> str:
        return ""

    def full_name(self) -> str:
        return PROVIDER_ADDRESS

    def get_provider_schema(self, diags: Diagnostics) -> tf_schema.Schema:  # noqa: ARG002
        return CompactSchema(self.schema["provider_config"])

    def validate_config(self, diags: Diagnostics, config: dict[str, Any]) -> None:
        """Terraform already checked the provider block against the schema."""

    def configure_provider(self, diags: Diagnostics, config: dict[str, Any]) -> None:  # noqa: ARG002
        diags.add_error("The stand-in aws provider cannot plan or apply", REFUSAL)

    def get_data_sources(self) -> list[type[iface.DataSource]]:
        sources = self.schema["data_sources"].items()
        return [_schema_only(name, block, iface.DataSource) for name, block in sources]

    def get_resources(self) -> list[type[iface.Resource]]:
        resources = self.schema["resources"].items()
        return [_schema_only(name, block, iface.Resource) for name, block in resources]


class _SchemaOnly:
    """A resource or data source type that knows its schema and refuses to act."""

    type_name: ClassVar[str]
    block: ClassVar[Block]

    def __init__(self, provider: StandinProvider) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return cls.type_name

    @classmethod
    def get_schema(cls) -> CompactSchema:
        return CompactSchema(cls.block)

    def create(self, *_: object) -> None:
        raise RuntimeError(REFUSAL)

    read = update = delete = create


def _schema_only(name: str, block: Block, kind: type[Any]) -> type[Any]:
    return type(name, (_SchemaOnly, kind), {"type_name": name, "block": block})


def main() -> None:
    runner.run_provider(StandinProvider(read_schema()))


if __name__ == "__main__":
    main()
