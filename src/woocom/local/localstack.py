"""The `localstack` target: LocalStack in Docker with the real Terraform stack applied to it.

    with running() as outputs:   # docker compose up, terraform apply, ..., compose down
        ...

Unlike `local`, this runs the Lambdas in LocalStack's containers and the API on
its API Gateway, created by the same Terraform as staging: it checks the
infrastructure code, at the price of Docker and a registry to fetch the provider.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from woocom.emulated import REGION
from woocom.local.cognito import ADMIN_GROUP, create_user, id_token, random_password
from woocom.local.emulator import emulator_client
from woocom.outputs import flatten_terraform_outputs, write_outputs
from woocom.paths import REPO_ROOT, STATE_DIR

LOCALSTACK_URL = "http://localhost:4566"
COMPOSE_FILE = REPO_ROOT / "docker" / "compose.yaml"
STACK_DIR = REPO_ROOT / "terraform" / "stack"
WORKSPACE = "localstack"
STATE_BUCKET = "woocom-localstack-tfstate"
# Keys of terraform/stack's `endpoint_overrides`; CloudFront is left out (enable_cdn = false).
SERVICES = (
    "apigateway",
    "cloudwatch",
    "cognitoidp",
    "dynamodb",
    "events",
    "iam",
    "lambda",
    "logs",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "sts",
)

Runner = Callable[..., subprocess.CompletedProcess[str]]


class LocalStackUnavailableError(RuntimeError):
    """No Docker engine: the localstack target cannot run on this machine."""


def require_docker(
    run: Runner = subprocess.run, which: Callable[[str], str | None] | None = None
) -> str:
    """The docker command, once a Docker engine answers; else a message that says what to do."""
    hint = "Run the suite on the embedded emulator instead: `nox -s test` (no Docker needed)."
    docker = (which or shutil.which)("docker")
    if docker is None:
        raise LocalStackUnavailableError(
            f"--target localstack needs Docker, and there is no `docker` command here. {hint}"
        )
    try:
        info = run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        raise LocalStackUnavailableError(
            f"`docker info` did not answer within 20 s. {hint}"
        ) from None
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["no output"])[-1]
        raise LocalStackUnavailableError(
            f"--target localstack needs a running Docker engine (`docker info`: {reason}) {hint}"
        )
    return docker


@contextmanager
def running(run: Runner = subprocess.run) -> Iterator[dict[str, Any]]:
    """LocalStack up with the stack applied; yields the outputs; stops and removes it after."""
    docker = require_docker(run)
    compose = [docker, "compose", "--file", str(COMPOSE_FILE)]
    print(f"== docker compose up ({COMPOSE_FILE.relative_to(REPO_ROOT)})", flush=True)
    run([*compose, "up", "--detach", "--wait"], check=True)
    try:
        yield apply_stack()
    finally:
        print("== docker compose down", flush=True)
        run([*compose, "down", "--volumes"], check=False)


def apply_stack(repo_root: Path = REPO_ROOT) -> dict[str, Any]:
    """Package the functions, apply terraform/stack to LocalStack, write and return its outputs."""
    from woocom.deploy.commands import package_functions
    from woocom.tf.runner import ProviderSource, cli_config_file, terraform

    data_dir = STATE_DIR / "localstack"
    data_dir.mkdir(parents=True, exist_ok=True)
    backend = data_dir / "backend.hcl"
    backend.write_text(backend_config())
    emulator_client("s3", LOCALSTACK_URL).create_bucket(Bucket=STATE_BUCKET)
    manifest = package_functions(repo_root)
    env = {
        "TF_DATA_DIR": str(data_dir / "terraform"),
        "TF_CLI_CONFIG_FILE": str(cli_config_file(ProviderSource.REAL)),
        "TF_INPUT": "0",
        # The provider authenticates with these; LocalStack accepts any.
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": REGION,
    }
    print("== terraform apply (workspace localstack)", flush=True)
    terraform(
        "init", "-input=false", "-reconfigure", f"-backend-config={backend}", cwd=STACK_DIR, env=env
    )
    terraform("workspace", "select", "-or-create=true", WORKSPACE, cwd=STACK_DIR, env=env)
    terraform(
        "apply", "-auto-approve", "-input=false", *apply_variables(manifest), cwd=STACK_DIR, env=env
    )
    raw = terraform("output", "-json", cwd=STACK_DIR, env=env, stream=False).stdout
    outputs = localstack_outputs(json.loads(raw))
    write_outputs(WORKSPACE, outputs)
    return outputs


def backend_config() -> str:
    """The S3 backend, in a LocalStack bucket."""
    return "\n".join(
        [
            f'bucket = "{STATE_BUCKET}"',
            'key = "stack.tfstate"',
            f'region = "{REGION}"',
            "use_lockfile = true",
            "use_path_style = true",
            "skip_credentials_validation = true",
            "skip_requesting_account_id = true",
            "skip_metadata_api_check = true",
            f'endpoints = {{ s3 = "{LOCALSTACK_URL}" }}',
            "",
        ]
    )


def apply_variables(manifest: Path) -> list[str]:
    overrides = {service: LOCALSTACK_URL for service in SERVICES}
    return [
        "-var=environment=localstack",
        "-var=enable_cdn=false",
        f"-var=package_manifest={manifest}",
        f"-var=endpoint_overrides={json.dumps(overrides)}",
    ]


def localstack_outputs(tf_outputs: dict[str, Any]) -> dict[str, Any]:
    """Terraform's outputs, with the API reachable through LocalStack's edge port."""
    outputs = flatten_terraform_outputs(tf_outputs)
    outputs["aws_endpoint_url"] = LOCALSTACK_URL
    api = urlsplit(outputs["api_url"])
    api_id, stage = api.hostname.split(".")[0] if api.hostname else "", api.path.strip("/")
    outputs["api_url"] = f"{LOCALSTACK_URL}/_aws/execute-api/{api_id}/{stage}"
    return outputs


def tokens(outputs: dict[str, Any]) -> tuple[str | None, str | None]:
    """ID tokens of a fresh admin and shopper, or (None, None) where Cognito cannot issue them.

    LocalStack Community has no Cognito; with Pro, the users are created in the
    stack's pool and signed in with the admin password flow.
    """
    cognito = emulator_client("cognito-idp", outputs["aws_endpoint_url"])
    pool, client = outputs.get("user_pool_id"), outputs.get("user_pool_client_id")
    if not pool or not client:
        return None, None
    issued: list[str | None] = []
    for username, groups in (("it-admin", (ADMIN_GROUP,)), ("it-shopper", ())):
        password = random_password()
        try:
            create_user(cognito, pool, username, password, groups)
            issued.append(id_token(cognito, pool, client, username, password))
        except Exception as exc:  # Community edition, or a pool without the admin flow
            print(f"no {username} token from LocalStack's Cognito: {exc}", flush=True)
            issued.append(None)
    return issued[0], issued[1]
