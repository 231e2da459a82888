"""`plan`, `deploy` and `destroy`: one command per environment, driven through Terraform.

plan     package -> init (the account's backend) -> select/create the workspace ->
         plan to a file -> summary from `terraform show -json`.
deploy   production guards -> plan -> data-loss guard -> apply that exact plan file ->
         .woocom/outputs/<env>.json -> smoke check of the deployed API.
destroy  previews and developer stacks only -> destroy -> delete the workspace.

Every workspace gets its own Terraform data directory under
.woocom/terraform/deploy/<workspace>/, so plans for two targets can run side by
side from one checkout without switching each other's workspace or backend.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from woocom.config import StackError, load_stack
from woocom.deploy import guards
from woocom.deploy.environments import Environment, UnknownEnvironmentError, resolve
from woocom.deploy.guards import RefusedError
from woocom.deploy.plan import PlanSummary, render, summarize
from woocom.deploy.smoke import SmokeCheckError, smoke_check
from woocom.outputs import flatten_terraform_outputs, write_outputs
from woocom.packaging import Packager, PackagingError
from woocom.paths import OUTPUTS_DIR, REPO_ROOT, STATE_DIR
from woocom.stackdoc import document_path, write_stack_document
from woocom.tf.runner import (
    PROVIDER_ENV,
    ProviderSource,
    TerraformError,
    TerraformResult,
    cli_config_file,
    terraform,
)


class DeployFailedError(RuntimeError):
    """A step failed after the guards passed; the message says what state things are in."""


@dataclass(frozen=True)
class DeployPaths:
    repo_root: Path = REPO_ROOT
    stack_dir: Path = REPO_ROOT / "terraform" / "stack"
    envs_dir: Path = REPO_ROOT / "terraform" / "envs"
    work_dir: Path = STATE_DIR / "terraform" / "deploy"
    outputs_dir: Path = OUTPUTS_DIR

    def data_dir(self, env: Environment) -> Path:
        return self.work_dir / env.workspace / "data"

    def plan_file(self, env: Environment) -> Path:
        return self.work_dir / env.workspace / "plan.tfplan"

    def outputs_file(self, env: Environment) -> Path:
        return self.outputs_dir / f"{env.name}.json"


def package_functions(repo_root: Path) -> Path:
    """Build (or reuse) every zip and write the stack document; returns the manifest.

    Terraform reads both: the zips through the manifest, stack.yaml through the
    document (woocom.stackdoc), at .woocom/build/ of the checkout.
    """
    packager = Packager(repo_root)
    try:
        stack = load_stack(repo_root / "stack.yaml")
        write_stack_document(stack, document_path(repo_root))
        packager.build(stack)
    except (StackError, PackagingError) as exc:
        raise DeployFailedError(f"packaging failed, nothing was planned:\n{exc}") from None
    return packager.manifest_path


# What Terraform (Go's net/http, the AWS SDK) prints when it cannot reach a host, and
# when it reached AWS but was turned away: the two causes of a failed `init`.
_NETWORK_ERRORS = re.compile(
    r"no such host|dial tcp|i/o timeout|connection refused|network is unreachable|"
    r"TLS handshake timeout|Client\.Timeout|context deadline exceeded|"
    r"could not connect to|Failed to query available provider packages|connection reset",
    re.IGNORECASE,
)
_CREDENTIAL_ERRORS = re.compile(
    r"no valid credential sources|NoCredentialProviders|failed to refresh cached credentials|"
    r"get identity|ExpiredToken|InvalidClientTokenId|SignatureDoesNotMatch|"
    r"UnrecognizedClientException|AccessDenied|StatusCode: 403|security token",
    re.IGNORECASE,
)


def init_failure_hint(message: str, env: Environment, backend: Path) -> str:
    """Say whether a failed `init` is the network or the credentials, and what to do."""
    credentials = (
        f"Check that your credentials are for the {env.account} account "
        f"(`aws sts get-caller-identity`) and that {backend} names its state bucket."
    )
    if _NETWORK_ERRORS.search(message):
        return (
            "This is a network problem, not your credentials: Terraform could not reach "
            "a host (init needs registry.terraform.io for the hashicorp/aws provider and "
            "the S3 endpoint for the state). Check your connection, proxy or VPN and retry; "
            "`nox -s validate` works offline meanwhile."
        )
    if _CREDENTIAL_ERRORS.search(message):
        return f"AWS refused the credentials (the network is fine). {credentials}"
    return credentials


@dataclass
class Deployer:
    paths: DeployPaths = field(default_factory=DeployPaths)
    package: Callable[[Path], Path] = package_functions
    smoke: Callable[[str], str] = smoke_check
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    say: Callable[[str], None] = print

    # --- steps ---------------------------------------------------------------------

    def terraform(self, env: Environment, *args: str, stream: bool = True) -> TerraformResult:
        data_dir = self.paths.data_dir(env)
        data_dir.mkdir(parents=True, exist_ok=True)
        # Deploys always use the registry's hashicorp/aws; the offline stand-in only validates.
        overrides = {
            "TF_DATA_DIR": str(data_dir),
            "TF_CLI_CONFIG_FILE": str(cli_config_file(ProviderSource.REAL)),
            "TF_INPUT": "0",
        }
        return terraform(*args, cwd=self.paths.stack_dir, env=overrides, stream=stream)

    def prepare(self, env: Environment) -> Path:
        """Package, init the account's backend and select the workspace; returns the manifest."""
        guards.require_configured(env, self.paths.envs_dir)
        manifest = self.package(self.paths.repo_root)
        backend = env.backend_file(self.paths.envs_dir)
        self.say(f"== terraform init ({env.account} state, {backend.name})")
        try:
            self.terraform(
                env, "init", "-input=false", "-reconfigure", f"-backend-config={backend}"
            )
            self.terraform(env, "workspace", "select", "-or-create=true", env.workspace)
        except TerraformError as exc:
            raise DeployFailedError(
                f"{exc}\nNothing was changed. {init_failure_hint(exc.output, env, backend)}"
            ) from None
        return manifest

    def variables(self, env: Environment, manifest: Path) -> list[str]:
        """The root variables: the environment's file, the zips to deploy, the commit."""
        return [
            f"-var-file={env.var_file(self.paths.envs_dir)}",
            f"-var=package_manifest={manifest}",
            f"-var=git_sha={guards.head_commit(self.paths.repo_root)}",
        ]

    def plan(
        self, env: Environment, *, lock: bool = True, summary_file: Path | None = None
    ) -> PlanSummary:
        manifest = self.prepare(env)
        plan_file = self.paths.plan_file(env)
        plan_file.unlink(missing_ok=True)
        self.say(f"== terraform plan ({env.workspace})")
        try:
            self.terraform(
                env,
                "plan",
                "-input=false",
                *(() if lock else ("-lock=false",)),
                f"-out={plan_file}",
                *self.variables(env, manifest),
            )
            shown = self.terraform(env, "show", "-json", str(plan_file), stream=False)
        except TerraformError as exc:
            raise DeployFailedError(
                f"{exc}\nNothing was changed. `nox -s validate` checks the configuration offline."
            ) from None
        summary = summarize(json.loads(shown.stdout))
        rendered = render(summary, env.name)
        self.say(rendered)
        # CI: the plan goes into the job summary (and, for drift, into the issue body).
        markdown = f"### Plan for {env.name}\n\n```\n{rendered}\n```\n"
        step_summary = self.environ.get("GITHUB_STEP_SUMMARY")
        for path in (Path(step_summary) if step_summary else None, summary_file):
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("a", encoding="utf-8") as out:
                    out.write(markdown)
        return summary

    def deploy(self, env: Environment, *, approve: bool, allow_destroy: Sequence[str]) -> str:
        if env.protected:
            guards.require_approval(env, approve, self.environ)
            guards.require_clean_tree(self.paths.repo_root)
            ref = guards.require_on_main(self.paths.repo_root)
            self.say(f"{env.name}: approved, clean tree, HEAD is on {ref}")
        summary = self.plan(env)
        guards.require_allowed_data_loss(env, summary, allow_destroy)
        plan_file = self.paths.plan_file(env)
        self.say(f"== terraform apply ({env.workspace}, the plan above)")
        try:
            self.terraform(env, "apply", "-input=false", str(plan_file))
        except TerraformError as exc:
            raise DeployFailedError(self._apply_failed(env, exc)) from None
        finally:
            plan_file.unlink(missing_ok=True)  # a plan is single use: stale once applied
        outputs = self.terraform(env, "output", "-json", stream=False)
        flat = flatten_terraform_outputs(json.loads(outputs.stdout))
        written = write_outputs(env.name, flat, self.paths.outputs_file(env))
        self.say(f"outputs written to {written}")
        api_url = flat.get("api_url")
        if not api_url:
            raise DeployFailedError(
                "the stack has no api_url output, so the smoke check cannot run: the root "
                "configuration must output api_url (contract in the README)"
            )
        try:
            report = self.smoke(str(api_url))
        except SmokeCheckError as exc:
            raise DeployFailedError(
                f"smoke check failed: {exc}\nThe apply itself succeeded and the outputs are "
                "written. Look at the API's function logs (aws logs tail "
                f"/aws/lambda/<stack>-{env.workspace}-catalog_api --since 15m); to roll back, "
                "revert the commit and deploy again."
            ) from None
        self.say(f"smoke check: {report}")
        return report

    def destroy(self, env: Environment) -> None:
        if env.long_lived:
            raise RefusedError(
                f"refusing to destroy {env.name}: it is a long-lived environment and holds "
                "real data. To remove a resource, delete it from the configuration and deploy; "
                "to retire an account, an admin follows terraform/bootstrap/README.md."
            )
        manifest = self.prepare(env)
        self.say(f"== terraform destroy ({env.workspace})")
        try:
            self.terraform(
                env,
                "destroy",
                "-auto-approve",
                "-input=false",
                *self.variables(env, manifest),
            )
        except TerraformError as exc:
            raise DeployFailedError(
                f"{exc}\nSome resources may remain in {env.workspace}; the workspace is kept "
                f"so that `nox -s destroy -- {env.name}` can be re-run once the cause is fixed."
            ) from None
        self.terraform(env, "workspace", "select", "default")
        self.terraform(env, "workspace", "delete", env.workspace)
        self.paths.outputs_file(env).unlink(missing_ok=True)
        self.say(f"{env.name} destroyed and its workspace deleted")

    def force_unlock(self, env: Environment, lock_id: str) -> None:
        self.prepare(env)
        self.terraform(env, "force-unlock", "-force", lock_id)

    def _apply_failed(self, env: Environment, exc: TerraformError) -> str:
        return (
            f"{exc}\n\napply failed in {env.workspace}; no further step ran (no outputs, no "
            "smoke check). Resources changed before the error stay changed and are recorded "
            "in the state. Terraform released the state lock (the S3 .tflock object) when it "
            "exited. If a later run reports 'Error acquiring the state lock' and no other run "
            "is in progress (CI: the workflow's concurrency group), release it with:\n"
            f"    nox -s deploy -- {env.name} --force-unlock <ID from that message>\n"
            f"Then fix the cause and run `nox -s deploy -- {env.name}` again: it plans from "
            "the current state."
        )


def parser(command: str) -> argparse.ArgumentParser:
    what = {
        "plan": "Plan an environment and summarize the changes.",
        "deploy": "Plan and apply an environment, write its outputs, smoke check its API.",
        "destroy": "Destroy a preview (pr-<n>) or developer (dev-<name>) stack.",
    }[command]
    result = argparse.ArgumentParser(prog=f"woocom {command}", description=what)
    result.add_argument("target", help="staging, production, pr-<number> or dev-<name>")
    if command == "plan":
        result.add_argument(
            "--detailed-exitcode",
            action="store_true",
            help="exit 2 when the plan has changes (drift), 0 when none, 1 on error",
        )
        result.add_argument(
            "--no-lock",
            action="store_true",
            help="plan without taking the state lock (a read-only role cannot write it)",
        )
        result.add_argument(
            "--summary-file", type=Path, metavar="FILE", help="also append the summary here"
        )
    if command == "deploy":
        result.add_argument(
            "--approve", action="store_true", help="production: I have read the plan"
        )
        result.add_argument(
            "--allow-destroy",
            action="append",
            default=[],
            metavar="ADDRESS",
            help="production: allow the plan to destroy this stateful resource (repeatable)",
        )
        result.add_argument(
            "--force-unlock",
            metavar="LOCK_ID",
            help="release a stale state lock left by an interrupted run, then stop",
        )
    return result


def main(argv: Sequence[str], deployer: Deployer | None = None) -> int:
    """`woocom plan|deploy|destroy <target> [options]`; 0 ok, 1 refused or failed, 2 usage.

    `plan --detailed-exitcode` also exits 2 when the plan has changes, as Terraform does.
    """
    if not argv or argv[0] not in ("plan", "deploy", "destroy"):
        print("usage: woocom plan|deploy|destroy <target> [options]", file=sys.stderr)
        return 2
    command = argv[0]
    args = parser(command).parse_args(argv[1:])
    if os.environ.get(PROVIDER_ENV, ProviderSource.REAL) != ProviderSource.REAL:
        print(
            f"{PROVIDER_ENV}={os.environ[PROVIDER_ENV]}: the stand-in provider only validates; "
            f"unset it to {command} with the real hashicorp/aws",
            file=sys.stderr,
        )
        return 1
    # No registry probe: a deploy needs the real provider whatever the network says.
    os.environ[PROVIDER_ENV] = ProviderSource.REAL
    try:
        env = resolve(args.target)
    except UnknownEnvironmentError as exc:
        print(exc, file=sys.stderr)
        # With --detailed-exitcode, 2 means "changes": a usage error must not look like drift.
        return 1 if getattr(args, "detailed_exitcode", False) else 2
    deployer = deployer or Deployer()
    try:
        if command == "plan":
            summary = deployer.plan(env, lock=not args.no_lock, summary_file=args.summary_file)
            if args.detailed_exitcode and not summary.empty:
                return 2
        elif command == "destroy":
            deployer.destroy(env)
        elif args.force_unlock:
            deployer.force_unlock(env, args.force_unlock)
        else:
            deployer.deploy(env, approve=args.approve, allow_destroy=args.allow_destroy)
    except RefusedError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    except (DeployFailedError, TerraformError) as exc:
        print(f"{command} failed: {exc}", file=sys.stderr)
        return 1
    return 0
