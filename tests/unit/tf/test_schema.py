"""Schema extraction from a cdktn jsii assembly, on a small assembly shaped like the real one."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from woocom.tf import schema
from woocom.tf.schema import Assembly, SchemaError

NS = "@cdktn/provider-aws"
DOCS = "https://registry.terraform.io/providers/hashicorp/aws/6.69.1/docs"


def prop(name: str, jsii: dict[str, Any], *, tf: str = "", optional: bool = True) -> dict[str, Any]:
    """A struct property as cdktn writes it: the registry link names the Terraform argument."""
    anchor = tf or name
    return {
        "name": name,
        "optional": optional or None,
        "type": jsii,
        "docs": {"summary": f"Docs at Terraform Registry: {{@link {DOCS}/x#{anchor} X#{anchor}}}."},
    }


def block(name: str, fqn: str, *, many: bool = False, optional: bool = True) -> dict[str, Any]:
    jsii: dict[str, Any] = {"fqn": fqn}
    if many:
        jsii = {
            "union": {
                "types": [
                    {"fqn": "cdktn.IResolvable"},
                    {"collection": {"kind": "array", "elementtype": {"fqn": fqn}}},
                ]
            }
        }
    return {
        "name": name,
        "optional": optional or None,
        "type": jsii,
        "docs": {"summary": f"{name} block.", "remarks": f"{{@link {DOCS}/x#{name} X#{name}}}"},
    }


def getter(name: str, jsii: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "immutable": True, "type": jsii}


STRING = {"primitive": "string"}
NUMBER = {"primitive": "number"}
BOOL = {"union": {"types": [{"primitive": "boolean"}, {"fqn": "cdktn.IResolvable"}]}}


def terraform_class(fqn: str, kind: str, tf_name: str, getters: list[dict[str, Any]]) -> Any:
    section = "resources" if kind == "Resource" else "data-sources"
    return {
        "fqn": fqn,
        "kind": "class",
        "base": f"cdktn.Terraform{kind}",
        "docs": {"summary": f"Represents a {{@link {DOCS}/{section}/x {tf_name}}}."},
        "initializer": {
            "parameters": [
                {"name": "scope"},
                {"name": "id"},
                {"name": "config", "type": {"fqn": f"{fqn}Config"}},
            ]
        },
        "properties": [getter("tfResourceType", STRING) | {"static": True}, *getters],
    }


def struct(fqn: str, *props: dict[str, Any]) -> dict[str, Any]:
    return {"fqn": fqn, "kind": "interface", "datatype": True, "properties": list(props)}


def sample_manifest() -> dict[str, Any]:
    fn = f"{NS}.lambdaFunction.LambdaFunction"
    types = {
        fn: terraform_class(
            fn,
            "Resource",
            "aws_lambda_function",
            [
                getter("arn", STRING),
                getter("sourceCodeSize", NUMBER),
                getter("signingEnabled", {"fqn": "cdktn.IResolvable"}),
                getter("tagsAll", {"fqn": "cdktn.StringMap"}),
                getter("loggingOutputs", {"fqn": f"{fn}LoggingOutputsList"}),
                getter("functionName", STRING),
                getter("functionNameInput", STRING),
            ],
        ),
        f"{fn}Config": struct(
            f"{fn}Config",
            prop("functionName", STRING, tf="function_name", optional=False),
            prop("layers", {"collection": {"kind": "array", "elementtype": STRING}}),
            prop("tags", {"collection": {"kind": "map", "elementtype": STRING}}),
            prop("publish", BOOL),
            prop("payload", {"primitive": "any"}),
            prop("s3Key", STRING, tf="s3_key"),
            prop("settings", {"fqn": f"{fn}Settings"}),
            block("environment", f"{fn}Environment"),
            block("rule", f"{fn}Rule", many=True, optional=False),
        )
        | {"interfaces": ["cdktn.TerraformMetaArguments"]},
        f"{fn}Settings": struct(
            f"{fn}Settings",
            prop("mode", STRING, optional=False),
            prop("level", NUMBER),
        ),
        f"{fn}Environment": struct(
            f"{fn}Environment",
            prop("variables", {"collection": {"kind": "map", "elementtype": STRING}}),
        ),
        f"{fn}Rule": struct(
            f"{fn}Rule", prop("id", STRING, optional=False), block("rule", f"{fn}Rule")
        ),
        f"{fn}LoggingOutputsList": {
            "fqn": f"{fn}LoggingOutputsList",
            "kind": "class",
            "methods": [
                {"name": "get", "returns": {"type": {"fqn": f"{fn}LoggingOutputsOutputReference"}}}
            ],
        },
        f"{fn}LoggingOutputsOutputReference": {
            "fqn": f"{fn}LoggingOutputsOutputReference",
            "kind": "class",
            "properties": [getter("logGroup", STRING), getter("internalValue", STRING)],
        },
        f"{NS}.dataAwsRegion.DataAwsRegion": terraform_class(
            f"{NS}.dataAwsRegion.DataAwsRegion",
            "DataSource",
            "aws_region",
            [getter("name", STRING)],
        ),
        f"{NS}.dataAwsRegion.DataAwsRegionConfig": struct(
            f"{NS}.dataAwsRegion.DataAwsRegionConfig"
        ),
        f"{NS}.provider.AwsProvider": {
            "fqn": f"{NS}.provider.AwsProvider",
            "kind": "class",
            "base": "cdktn.TerraformProvider",
            "initializer": {
                "parameters": [
                    {"name": "config", "type": {"fqn": f"{NS}.provider.AwsProviderConfig"}}
                ]
            },
        },
        f"{NS}.provider.AwsProviderConfig": struct(
            f"{NS}.provider.AwsProviderConfig",
            prop("alias", STRING),
            prop("region", STRING),
            block("endpoints", f"{NS}.provider.AwsProviderEndpoints", many=True),
        ),
        f"{NS}.provider.AwsProviderEndpoints": struct(
            f"{NS}.provider.AwsProviderEndpoints", prop("s3", STRING), prop("lambda", STRING)
        ),
    }
    readme = "# CDKTN prebuilt bindings for hashicorp/aws provider version 6.69.1\n"
    return {"version": "25.8.1", "readme": {"markdown": readme}, "types": types}


@pytest.fixture(scope="module")
def compact() -> dict[str, Any]:
    return Assembly(sample_manifest()).compact()


def test_header_names_the_provider_version(compact: dict[str, Any]) -> None:
    assert compact["provider"] == "hashicorp/aws"
    assert compact["version"] == "6.69.1"
    assert compact["source"] == "cdktn-provider-aws 25.8.1"


def test_arguments_use_terraform_names_and_cty_types(compact: dict[str, Any]) -> None:
    fn = compact["resources"]["aws_lambda_function"]
    assert fn["required"] == {"function_name": "string"}
    assert fn["arguments"] == {
        "layers": ["list", "string"],
        "payload": "dynamic",
        "publish": "bool",
        "s3_key": "string",
        "settings": ["object", {"level": "number", "mode": "string"}, ["level"]],
        "tags": ["map", "string"],
    }


def test_read_only_attributes_come_from_the_class(compact: dict[str, Any]) -> None:
    computed = compact["resources"]["aws_lambda_function"]["computed"]
    assert computed == {
        "arn": "string",
        "logging_outputs": ["list", ["object", {"log_group": "string"}]],
        "signing_enabled": "bool",
        "source_code_size": "number",
        "tags_all": ["map", "string"],
    }


def test_blocks_keep_their_limits(compact: dict[str, Any]) -> None:
    blocks = compact["resources"]["aws_lambda_function"]["blocks"]
    assert blocks["environment"] == {"arguments": {"variables": ["map", "string"]}, "max": 1}
    assert blocks["rule"]["min"] == 1
    assert "max" not in blocks["rule"]
    assert blocks["rule"]["blocks"]["rule"] == {"max": 1}, "recursion stops at the repeated type"


def test_data_sources_and_provider_config(compact: dict[str, Any]) -> None:
    assert compact["data_sources"] == {"aws_region": {"computed": {"name": "string"}}}
    provider = compact["provider_config"]
    assert provider["arguments"] == {"region": "string"}, "alias is a meta-argument, not ours"
    assert provider["blocks"]["endpoints"]["arguments"] == {"lambda": "string", "s3": "string"}


def test_assembly_without_version_is_rejected() -> None:
    manifest = sample_manifest() | {"readme": {"markdown": "something else"}}
    with pytest.raises(SchemaError, match="names no hashicorp/aws provider version"):
        Assembly(manifest)


def test_assembly_without_resources_is_rejected() -> None:
    manifest = sample_manifest()
    manifest["types"] = {}
    with pytest.raises(SchemaError, match="no provider class or no resources"):
        Assembly(manifest).compact()


def _tarball(manifest: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    data = json.dumps(manifest).encode()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("package/.jsii")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_manifest_loads_from_every_packaging(tmp_path: Path) -> None:
    manifest = sample_manifest()
    plain = tmp_path / ".jsii"
    plain.write_text(json.dumps(manifest))
    package = tmp_path / "cdktn_provider_aws"
    (package / "_jsii").mkdir(parents=True)
    (package / "_jsii" / "provider-aws@25.8.1.jsii.tgz").write_bytes(_tarball(manifest))
    wheel = tmp_path / "cdktn_provider_aws-25.8.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(
            "cdktn_provider_aws/_jsii/provider-aws@25.8.1.jsii.tgz", _tarball(manifest)
        )
    for source in (plain, package, package / "_jsii" / "provider-aws@25.8.1.jsii.tgz", wheel):
        assert schema.load_manifest(source)["version"] == "25.8.1", source


def test_packaging_without_assembly_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="no _jsii"):
        schema.load_manifest(tmp_path)
    wheel = tmp_path / "empty.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("README", "nothing")
    with pytest.raises(SchemaError, match="holds no jsii assembly"):
        schema.load_manifest(wheel)


def test_written_schema_is_reproducible(tmp_path: Path, compact: dict[str, Any]) -> None:
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    schema.write_schema(compact, first)
    schema.write_schema(compact, second)
    assert first.read_bytes() == second.read_bytes()
    assert schema.read_schema(first) == compact


def test_command_regenerates_from_a_wheel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = tmp_path / "cdktn_provider_aws-25.8.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("x/_jsii/provider-aws@25.8.1.jsii.tgz", _tarball(sample_manifest()))
    output = tmp_path / "aws_schema.json.gz"
    assert schema.main(["--assembly", str(wheel), "--output", str(output)]) == 0
    assert "1 resources, 1 data sources" in capsys.readouterr().out
    assert "aws_lambda_function" in schema.read_schema(output)["resources"]


def test_command_explains_a_missing_package(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert schema.main([]) == 1
    assert "cdktn-provider-aws is not installed: run `nox -s provider_schema`" in (
        capsys.readouterr().err
    )


def test_committed_schema_covers_the_stack() -> None:
    committed = schema.read_schema()
    assert committed["version"].startswith("6.")
    fn = committed["resources"]["aws_lambda_function"]
    assert set(fn["required"]) == {"function_name", "role"}
    assert fn["computed"]["invoke_arn"] == "string"
    assert "endpoints" in committed["provider_config"]["blocks"]
