"""`python -m woocom provider-schema`: the offline schema of hashicorp/aws, from cdktn-provider-aws.

The PyPI package `cdktn-provider-aws` ships a jsii assembly generated from the
provider's own schema (its README names the provider version). We read the
resource, data source and provider configuration types from it and write a
compact, gzipped JSON that the stand-in provider (woocom.tf.provider) serves:

    {"provider": "hashicorp/aws", "version": "6.69.1", "source": "cdktn-provider-aws 25.8.1",
     "provider_config": BLOCK, "resources": {type: BLOCK}, "data_sources": {type: BLOCK}}
    BLOCK = {"required": {name: TYPE}, "arguments": {name: TYPE}  (optional),
             "defaulted": {name: TYPE}  (optional, computed when unset),
             "computed": {name: TYPE}  (read-only), "blocks": {name: BLOCK + "min"/"max"}}
    TYPE  = the cty type JSON Terraform uses ("string", ["list", "string"], ...)

What the assembly cannot tell apart (list or set, single or list-of-one block) is
written as the more permissive list form; README.md (section terraform) says so.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import io
import json
import re
import sys
import tarfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from woocom.paths import REPO_ROOT

SCHEMA_FILE = Path(__file__).with_name("aws_schema.json.gz")
PIN_FILE = REPO_ROOT / "requirements" / "provider-schema.txt"

JsiiType = Mapping[str, Any]
CtyType = str | list[Any]
Block = dict[str, Any]

_LINK_NAME = re.compile(r"#([a-z0-9_]+)\}")
_RESOURCE_NAME = re.compile(r"\{@link \S+/docs/(?:resources|data-sources)/\S+ (aws_[a-z0-9_]+)\}")
_PROVIDER_VERSION = re.compile(r"hashicorp/aws provider version (\d+\.\d+\.\d+)")
# The assembly does not mark optional arguments that the provider computes when
# unset; these are, by the provider's conventions (mocks must fill them in).
DEFAULTED = frozenset({"id", "tags_all", "arn", "name", "region"})
_COMPUTED_MAPS = {
    "cdktn.StringMap": ["map", "string"],
    "cdktn.NumberMap": ["map", "number"],
    "cdktn.BooleanMap": ["map", "bool"],
    "cdktn.AnyMap": ["map", "dynamic"],
}


class SchemaError(RuntimeError):
    """The assembly does not look like a cdktn provider assembly."""


class Assembly:
    """A jsii assembly of a cdktn provider, turned into Terraform block schemas."""

    def __init__(self, manifest: Mapping[str, Any]) -> None:
        self.types: Mapping[str, Any] = manifest["types"]
        self.package_version = str(manifest["version"])
        match = _PROVIDER_VERSION.search(manifest.get("readme", {}).get("markdown", ""))
        if not match:
            raise SchemaError("the assembly's README names no hashicorp/aws provider version")
        self.provider_version = match[1]

    def compact(self) -> dict[str, Any]:
        resources: dict[str, Block] = {}
        data_sources: dict[str, Block] = {}
        provider: Block | None = None
        for _, spec in sorted(self.types.items()):
            base = spec.get("base")
            if base in ("cdktn.TerraformResource", "cdktn.TerraformDataSource"):
                name = self._type_name(spec)
                into = resources if base == "cdktn.TerraformResource" else data_sources
                into[name] = self.top_block(spec)
            elif base == "cdktn.TerraformProvider":
                provider = self.struct_block(self._config_fqn(spec))
                # cdktn models the `alias` meta-argument as an argument; Terraform reserves it.
                provider.get("arguments", {}).pop("alias", None)
        if provider is None or not resources:
            raise SchemaError("no provider class or no resources in the assembly")
        return {
            "provider": "hashicorp/aws",
            "version": self.provider_version,
            "source": f"cdktn-provider-aws {self.package_version}",
            "provider_config": provider,
            "resources": resources,
            "data_sources": data_sources,
        }

    def top_block(self, spec: Mapping[str, Any]) -> Block:
        """Arguments and blocks from the Config struct, read-only attributes from the class."""
        config_fqn = self._config_fqn(spec)
        block = self.struct_block(config_fqn)
        declared = {prop["name"] for prop in self._properties(config_fqn)}
        computed = {
            _snake(prop["name"]): self._computed_type(prop["type"])
            for prop in spec.get("properties", [])
            if not prop.get("static")
            and not prop["name"].endswith("Input")
            and prop["name"] not in declared
        }
        defaulted = {
            name: block["arguments"].pop(name)
            for name in sorted(DEFAULTED & block.get("arguments", {}).keys())
        }
        if defaulted:
            block["defaulted"] = defaulted
        if computed:
            block["computed"] = dict(sorted(computed.items()))
        return dict(sorted(block.items()))

    def struct_block(self, fqn: str, enclosing: frozenset[str] = frozenset()) -> Block:
        if fqn in enclosing:
            return {}  # a recursive block: its arguments are already described further up
        block: Block = {}
        for prop in self._properties(fqn):
            name = _argument_name(prop)
            kind = self._block_kind(prop)
            if kind is not None:
                nested_fqn, max_items = kind
                nested = self.struct_block(nested_fqn, enclosing | {fqn})
                if not prop.get("optional"):
                    nested["min"] = 1
                if max_items:
                    nested["max"] = max_items
                block.setdefault("blocks", {})[name] = nested
            else:
                section = "arguments" if prop.get("optional") else "required"
                block.setdefault(section, {})[name] = self.argument_type(prop["type"])
        return {key: dict(sorted(value.items())) for key, value in sorted(block.items())}

    def argument_type(self, jsii: JsiiType) -> CtyType:
        if "primitive" in jsii:
            return {"string": "string", "number": "number", "boolean": "bool"}.get(
                jsii["primitive"], "dynamic"
            )
        if "collection" in jsii:
            kind = "map" if jsii["collection"]["kind"] == "map" else "list"
            return [kind, self.argument_type(jsii["collection"]["elementtype"])]
        if "union" in jsii:
            members = [t for t in jsii["union"]["types"] if t.get("fqn") != "cdktn.IResolvable"]
            return self.argument_type(members[0]) if len(members) == 1 else "dynamic"
        if jsii.get("fqn", "").startswith("@cdktn/provider-aws."):
            return self._object_type(jsii["fqn"])
        return "dynamic"

    def _computed_type(self, jsii: JsiiType) -> CtyType:
        fqn = jsii.get("fqn")
        if fqn is None:
            return self.argument_type(jsii)
        if fqn == "cdktn.IResolvable":  # how cdktn returns a computed boolean
            return "bool"
        if fqn in _COMPUTED_MAPS:
            return _COMPUTED_MAPS[fqn]
        spec = self.types.get(fqn, {})
        getter = next((m for m in spec.get("methods", []) if m["name"] == "get"), None)
        if getter is not None:  # a ...List class: get(index) returns the element reference
            return ["list", self._computed_type(getter["returns"]["type"])]
        attributes = {
            _snake(prop["name"]): self._computed_type(prop["type"])
            for prop in spec.get("properties", [])
            if not prop["name"].endswith("Input") and prop["name"] != "internalValue"
        }
        return ["object", dict(sorted(attributes.items()))] if attributes else "dynamic"

    def _object_type(self, fqn: str) -> CtyType:
        attributes: dict[str, CtyType] = {}
        optional: list[str] = []
        for prop in self._properties(fqn):
            name = _argument_name(prop)
            attributes[name] = self.argument_type(prop["type"])
            if prop.get("optional"):
                optional.append(name)
        shape: list[Any] = ["object", dict(sorted(attributes.items()))]
        return [*shape, sorted(optional)] if optional else shape

    def _block_kind(self, prop: Mapping[str, Any]) -> tuple[str, int | None] | None:
        """(struct fqn, max items) when the property is a nested block, else None."""
        if not prop.get("docs", {}).get("summary", "").endswith(" block."):
            return None
        jsii = prop["type"]
        if "fqn" in jsii:
            return jsii["fqn"], 1
        for member in jsii.get("union", {}).get("types", []):
            if "fqn" in member.get("collection", {}).get("elementtype", {}):
                return member["collection"]["elementtype"]["fqn"], None
        return None  # e.g. a free-form JSON "block": an argument as far as Terraform is concerned

    def _properties(self, fqn: str) -> Iterator[Mapping[str, Any]]:
        spec = self.types[fqn]
        for parent in spec.get("interfaces", []):
            if parent in self.types:
                yield from self._properties(parent)
        yield from spec.get("properties", [])

    def _config_fqn(self, spec: Mapping[str, Any]) -> str:
        for param in spec["initializer"]["parameters"]:
            if param["name"] == "config":
                fqn: str = param["type"]["fqn"]
                return fqn
        raise SchemaError(f"{spec['fqn']} has no config parameter")

    def _type_name(self, spec: Mapping[str, Any]) -> str:
        match = _RESOURCE_NAME.search(spec.get("docs", {}).get("summary", ""))
        if not match:
            raise SchemaError(f"{spec['fqn']}: no Terraform type name in its docs")
        return match[1]


def _argument_name(prop: Mapping[str, Any]) -> str:
    """The Terraform name, from the registry link in the docs (cdktn renames some)."""
    docs = prop.get("docs", {})
    match = _LINK_NAME.search(docs.get("remarks", "") + docs.get("summary", ""))
    return match[1] if match else _snake(prop["name"])


def _snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", camel).lower()


# --- reading the assembly out of the package ----------------------------------------------


def load_manifest(source: Path) -> dict[str, Any]:
    """The assembly JSON from a .jsii file, a .jsii.tgz, a wheel, or the package directory."""
    if source.is_dir():
        tarballs = sorted((source / "_jsii").glob("*.jsii.tgz"))
        if not tarballs:
            raise SchemaError(f"no _jsii/*.jsii.tgz under {source}")
        return load_manifest(tarballs[-1])
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            names = [n for n in wheel.namelist() if n.endswith(".jsii.tgz")]
            if not names:
                raise SchemaError(f"{source} holds no jsii assembly")
            return _from_tarball(wheel.read(names[0]))
    if source.name.endswith(".tgz"):
        return _from_tarball(source.read_bytes())
    manifest: dict[str, Any] = json.loads(source.read_bytes())
    return manifest


def _from_tarball(data: bytes) -> dict[str, Any]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/.jsii")
        if member is None:
            raise SchemaError("the jsii tarball has no package/.jsii")
        manifest: dict[str, Any] = json.loads(member.read())
        return manifest


def installed_package() -> Path:
    # find_spec locates the package without importing it (importing needs node + jsii).
    spec = importlib.util.find_spec("cdktn_provider_aws")
    if spec is None or not spec.submodule_search_locations:
        raise SchemaError(
            f"cdktn-provider-aws is not installed: run `nox -s provider_schema` "
            f"(it installs the version pinned in {PIN_FILE.relative_to(REPO_ROOT)}), "
            "or pass --assembly PATH"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def write_schema(schema: Mapping[str, Any], path: Path = SCHEMA_FILE) -> int:
    """Gzip with a fixed mtime so the committed file only changes when the schema does."""
    raw = json.dumps(schema, separators=(",", ":"), sort_keys=True).encode()
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def read_schema(path: Path = SCHEMA_FILE) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
    return schema


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="woocom provider-schema", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--assembly",
        type=Path,
        help="a cdktn-provider-aws wheel, .jsii.tgz or .jsii (default: the installed package)",
    )
    parser.add_argument("--output", type=Path, default=SCHEMA_FILE)
    args = parser.parse_args(argv)
    try:
        source = args.assembly or installed_package()
        print(f"reading the jsii assembly from {source} ...", flush=True)
        assembly = Assembly(load_manifest(source))
        schema = assembly.compact()
    except SchemaError as exc:
        print(f"provider-schema: {exc}", file=sys.stderr)
        return 1
    size = write_schema(schema, args.output)
    print(
        f"hashicorp/aws {schema['version']} ({schema['source']}): "
        f"{len(schema['resources'])} resources, {len(schema['data_sources'])} data sources "
        f"-> {args.output} ({size / 1024:.0f} KiB)"
    )
    return 0
