"""A schema-only stand-in for hashicorp/aws, served with the PyPI `tf` provider framework.

Terraform reaches it through `dev_overrides` (woocom.tf.runner, woocom.tf.standin)
when the registry cannot be reached. It answers what `terraform validate` and
`terraform test` with `mock_provider "aws"` ask of a provider: the schema (from
aws_schema.json.gz, see woocom.tf.schema) and configuration validation. It
refuses to be configured, so `plan` and `apply` stop with a clear message
before anything could be created: the stand-in can never touch AWS.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import tf.provider
from tf import iface, runner
from tf import schema as tf_schema
from tf.gen import tfplugin_pb2 as pb
from tf.utils import Diagnostics

from woocom.tf.files import write_if_changed
from woocom.tf.runner import TF_STATE_DIR
from woocom.tf.schema import SCHEMA_FILE, Block

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
    """A framework Schema over a compact block and its prebuilt protobuf message.

    `attributes` and `block_types` carry what the framework's config validation
    reads (names; required/optional/computed), built only for the types that get
    validated; `to_pb` gives Terraform the full schema, with the cty types and list
    nesting the framework's own classes lack.
    """

    version = None

    def __init__(self, block: Mapping[str, Any], message: pb.Schema) -> None:
        self.block = block
        self.message = message

    @cached_property
    def attributes(self) -> list[tf_schema.Attribute]:
        return [
            tf_schema.Attribute(name, _AnyType(), **dict.fromkeys(modes, True))
            for name, _, modes in _attributes(self.block)
        ]

    @cached_property
    def block_types(self) -> list[tf_schema.NestedBlock]:
        return [
            tf_schema.NestedBlock(name, tf_schema.NestMode.Set, tf_schema.Block())
            for name in self.block.get("blocks", {})
        ]

    def to_pb(self) -> pb.Schema:
        return self.message


def build_messages(schema: Mapping[str, Any]) -> pb.GetProviderSchema.Response:
    """The whole provider schema as protobuf messages (about 0.3 s for hashicorp/aws)."""
    return pb.GetProviderSchema.Response(
        provider=pb.Schema(block=block_pb(schema["provider_config"])),
        resource_schemas={
            name: pb.Schema(block=block_pb(block)) for name, block in schema["resources"].items()
        },
        data_source_schemas={
            name: pb.Schema(block=block_pb(block)) for name, block in schema["data_sources"].items()
        },
    )


def cached_messages(
    schema: Mapping[str, Any], digest: str, cache_dir: Path
) -> pb.GetProviderSchema.Response:
    """build_messages, kept on disk by schema digest: Terraform starts the provider often."""
    cache = cache_dir / f"standin-schema-{digest[:16]}.pb"
    if cache.is_file():
        return pb.GetProviderSchema.Response.FromString(cache.read_bytes())
    messages = build_messages(schema)
    write_if_changed(cache, messages.SerializeToString())
    return messages


class _AnyType:
    """Validation never encodes values; the real cty type is written by block_pb."""

    def tf_type(self) -> bytes:
        return b'"dynamic"'


class StandinProvider(iface.Provider):  # type: ignore[misc]
    def __init__(
        self, schema: Mapping[str, Any], messages: pb.GetProviderSchema.Response | None = None
    ) -> None:
        self.schema = schema
        self.messages = messages or build_messages(schema)

    def get_model_prefix(self) -> str:
        return ""

    def full_name(self) -> str:
        return PROVIDER_ADDRESS

    def get_provider_schema(self, diags: Diagnostics) -> tf_schema.Schema:  # noqa: ARG002
        return CompactSchema(self.schema["provider_config"], self.messages.provider)

    def validate_config(self, diags: Diagnostics, config: dict[str, Any]) -> None:
        """Terraform already checked the provider block against the schema."""

    def configure_provider(self, diags: Diagnostics, config: dict[str, Any]) -> None:  # noqa: ARG002
        diags.add_error("The stand-in aws provider cannot plan or apply", REFUSAL)

    def get_data_sources(self) -> list[type[iface.DataSource]]:
        messages = self.messages.data_source_schemas
        return [
            _schema_only(name, block, messages[name], iface.DataSource)
            for name, block in self.schema["data_sources"].items()
        ]

    def get_resources(self) -> list[type[iface.Resource]]:
        messages = self.messages.resource_schemas
        return [
            _schema_only(name, block, messages[name], iface.Resource)
            for name, block in self.schema["resources"].items()
        ]


class _SchemaOnly:
    """A resource or data source type that knows its schema and refuses to act."""

    type_name: ClassVar[str]
    block: ClassVar[Block]
    message: ClassVar[pb.Schema]

    def __init__(self, provider: StandinProvider) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return cls.type_name

    @classmethod
    def get_schema(cls) -> CompactSchema:
        return CompactSchema(cls.block, cls.message)

    def create(self, *_: object) -> None:
        raise RuntimeError(REFUSAL)

    read = update = delete = create


def _schema_only(name: str, block: Block, message: pb.Schema, kind: type[Any]) -> type[Any]:
    attributes = {"type_name": name, "block": block, "message": message}
    return type(name, (_SchemaOnly, kind), attributes)


class StandinServicer(tf.provider.ProviderServicer):  # type: ignore[misc]
    """The framework's servicer, with a schema Terraform may keep for the whole command.

    Terraform reuses a provider's schema across instances only when the schema response
    says `get_provider_schema_optional` (the framework says it in GetMetadata only).
    Without it, every run block of `terraform test` fetches and converts the whole
    hashicorp/aws schema again: most of the time `nox -s validate` took.
    """

    def GetProviderSchema(  # noqa: N802 (the gRPC method's name)
        self, request: pb.GetProviderSchema.Request, context: object
    ) -> pb.GetProviderSchema.Response:
        response: pb.GetProviderSchema.Response = super().GetProviderSchema(request, context)
        metadata = self.GetMetadata(pb.GetMetadata.Request(), context)
        response.server_capabilities.CopyFrom(metadata.server_capabilities)
        return response


def serve(provider: StandinProvider) -> None:
    """Serve `provider` over the plugin protocol with StandinServicer.

    tf.runner.run_provider builds its servicer from `tf.provider.ProviderServicer`,
    looked up when it is called: that name is the framework's only hook for it.
    """
    tf.provider.ProviderServicer = StandinServicer
    runner.run_provider(provider)


def main() -> None:
    data = SCHEMA_FILE.read_bytes()
    schema = json.loads(gzip.decompress(data))
    messages = cached_messages(schema, hashlib.sha256(data).hexdigest(), TF_STATE_DIR)
    serve(StandinProvider(schema, messages))
    # Terraform waits for the process to end after every use of the provider; tearing down
    # the interpreter (the schema, the gRPC threads) took about 0.15 s of that, for nothing.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
