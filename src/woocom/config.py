"""The `stack.yaml` model: load, validate and describe the platform declaration.

Everything the tooling does starts here. A bad file is rejected before anything
runs, with a message that names the file, the key path (and line) and the problem.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from woocom.access import KINDS, Kind, access_table
from woocom.paths import REPO_ROOT, display_path

STACK_FILE = REPO_ROOT / "stack.yaml"
FUNCTIONS_DIR = REPO_ROOT / "functions"
SHARED_PACKAGE = "storefront"

_NAME = r"^[a-z][a-z0-9_]{0,39}$"
Name = Annotated[str, Field(pattern=_NAME)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StackError(Exception):
    """`stack.yaml` is invalid; `problems` holds one line per problem."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s):\n{listing}")


# --- limits: each one written once, here; HCL only guards its modules' interfaces ------

# CloudWatch Logs accepts these retention periods and no others.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip


def _cloudwatch_retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        raise ValueError(f"{value} is not a CloudWatch Logs retention period ({allowed})")
    return value


Memory = Annotated[int, Field(ge=128, le=10240, description="MB (Lambda: 128-10240)")]
Timeout = Annotated[int, Field(ge=1, le=900, description="seconds (Lambda: 1-900)")]
LogRetentionDays = Annotated[int, AfterValidator(_cloudwatch_retention)]
ReservedConcurrency = Annotated[int, Field(ge=0, description="0 stops every invocation")]
Capacity = Annotated[int, Field(ge=1, le=40000, description="units (DynamoDB default quota)")]
VisibilityTimeout = Annotated[int, Field(ge=0, le=43200, description="seconds (SQS: 0-12 h)")]
QueueRetentionDays = Annotated[int, Field(ge=1, le=14, description="days (SQS: 1 min-14 days)")]
MaxReceiveCount = Annotated[int, Field(ge=1, le=1000, description="SQS redrive: 1-1000")]
BatchSize = Annotated[int, Field(ge=1, le=10000, description="Lambda SQS mapping: 1-10000")]
BatchingWindow = Annotated[int, Field(ge=0, le=300, description="seconds (Lambda: 0-300)")]
ExpireAfterDays = Annotated[int, Field(ge=1, description="S3 lifecycle: at least 1 day")]

# Every numeric limit of the model by name: the limits test walks the model and proves each
# constrained field uses one of these, and that each bound is enforced.
LIMITS: dict[str, Any] = {
    "memory": Memory,
    "timeout": Timeout,
    "log_retention_days": LogRetentionDays,
    "reserved_concurrency": ReservedConcurrency,
    "capacity": Capacity,
    "visibility_timeout": VisibilityTimeout,
    "queue_retention_days": QueueRetentionDays,
    "max_receive_count": MaxReceiveCount,
    "batch_size": BatchSize,
    "batching_window": BatchingWindow,
    "expire_after_days": ExpireAfterDays,
}

# An SQS batch above this size needs a batching window (Lambda rejects the mapping otherwise).
SQS_UNWINDOWED_BATCH = 10
LAMBDA_DESCRIPTION_CHARS = 256
LAMBDA_ENVIRONMENT_BYTES = 4096
# Lambda refuses these keys ("Reserved keys used in this request").
LAMBDA_RESERVED_VARIABLES = frozenset(
    {
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
# Set by the platform on every function (terraform/stack, woocom.local.functions).
PLATFORM_VARIABLES = frozenset({"WOOCOM_ENV", "LOG_LEVEL"})
_RESOURCE_VARIABLE = re.compile(
    r"^(TABLE_[A-Z0-9_]+_NAME|BUCKET_[A-Z0-9_]+_NAME|QUEUE_[A-Z0-9_]+_URL|SECRET_[A-Z0-9_]+_NAME)$"
)
# Environment names that look like credentials: those belong under `secrets:`.
_CREDENTIAL_NAME = re.compile(r"(KEY|SECRET|TOKEN|PASSWORD|CREDENTIALS?)(_|$)")
# Names are "<stack>-<workspace>-<function>"; the function module allows 56 characters
# (Lambda's 64 less room for "-dlq"), buckets "<stack>-<workspace>-<bucket>-<account id>" 63.
FUNCTION_NAME_CHARS = 56
BUCKET_NAME_CHARS = 63
ACCOUNT_ID_CHARS = 12


def _access_level(kind: Kind) -> Any:
    def check(value: str) -> str:
        levels = access_table().level_names(kind)
        if value not in levels:
            hint = did_you_mean(value, levels)
            raise ValueError(f"{kind} access {value!r} must be one of {', '.join(levels)}{hint}")
        return value

    return AfterValidator(check)


# --- resources -------------------------------------------------------------------------


class Index(_Strict):
    hash_key: str
    range_key: str | None = None
    projection: Literal["ALL", "KEYS_ONLY"] = "ALL"
    # PROVISIONED tables only; the table's capacity when not given.
    read_capacity: Capacity | None = None
    write_capacity: Capacity | None = None


class Table(_Strict):
    hash_key: str
    range_key: str | None = None
    billing_mode: Literal["PAY_PER_REQUEST", "PROVISIONED"] = "PAY_PER_REQUEST"
    read_capacity: Capacity | None = None
    write_capacity: Capacity | None = None
    ttl_attribute: str | None = None
    indexes: dict[Name, Index] = Field(default_factory=dict)
    stream: Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"] | None = None

    @model_validator(mode="after")
    def _capacity_matches_billing(self) -> Table:
        given = [
            where
            for where, capacity in (
                ("", (self.read_capacity, self.write_capacity)),
                *(
                    (f"indexes.{name}.", (index.read_capacity, index.write_capacity))
                    for name, index in self.indexes.items()
                ),
            )
            if capacity != (None, None)
        ]
        if self.billing_mode == "PROVISIONED":
            if self.read_capacity is None or self.write_capacity is None:
                raise ValueError(
                    "billing_mode PROVISIONED needs read_capacity and write_capacity "
                    "(DynamoDB rejects a provisioned table without them)"
                )
        elif given:
            raise ValueError(
                f"{', '.join(w + 'read_capacity/write_capacity' for w in given)} only apply to "
                "billing_mode PROVISIONED (on-demand tables have no capacity)"
            )
        return self

    def capacity(self, index: str | None = None) -> tuple[int, int] | None:
        """(read, write) units of the table or one index; None when on demand."""
        if self.read_capacity is None or self.write_capacity is None:
            return None
        if index is None:
            return self.read_capacity, self.write_capacity
        spec = self.indexes[index]
        return (
            spec.read_capacity or self.read_capacity,
            spec.write_capacity or self.write_capacity,
        )


class Bucket(_Strict):
    versioning: bool = False
    expire_after_days: ExpireAfterDays | None = None


class DeadLetterQueue(_Strict):
    max_receive_count: MaxReceiveCount
    retention_days: QueueRetentionDays = 14


class Queue(_Strict):
    visibility_timeout: VisibilityTimeout = 30
    retention_days: QueueRetentionDays = 4
    dlq: DeadLetterQueue | None = None


# --- functions -------------------------------------------------------------------------


class Auth(StrEnum):
    PUBLIC = "public"
    ADMIN = "admin"


HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_ROUTE = re.compile(r"^(?P<method>[A-Z]+) (?P<path>/[A-Za-z0-9_{}./-]*)$")


class ApiTrigger(_Strict):
    route: str = Field(description='"METHOD /path", e.g. "GET /products/{sku}"')
    auth: Auth = Auth.PUBLIC

    @field_validator("route")
    @classmethod
    def _route_shape(cls, value: str) -> str:
        match = _ROUTE.match(value)
        if not match:
            raise ValueError(f'route {value!r} must look like "GET /products/{{sku}}"')
        if match["method"] not in HTTP_METHODS:
            raise ValueError(f"method {match['method']!r} must be one of {', '.join(HTTP_METHODS)}")
        for segment in match["path"].strip("/").split("/"):
            if ("{" in segment or "}" in segment) and not re.fullmatch(r"\{[a-z_]+\}", segment):
                raise ValueError(f"path segment {segment!r} must be a whole {{parameter}}")
        return value

    @property
    def method(self) -> str:
        return self.route.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.route.split(" ", 1)[1]


class ScheduleTrigger(_Strict):
    expression: str = Field(description='"rate(5 minutes)" or "cron(0 12 * * ? *)"')
    enabled: bool = True

    @field_validator("expression")
    @classmethod
    def _expression_valid(cls, value: str) -> str:
        check_schedule_expression(value)
        return value


class S3Trigger(_Strict):
    bucket: Name
    prefix: str = ""
    suffix: str = ""


class SqsTrigger(_Strict):
    queue: Name
    batch_size: BatchSize = 10
    batching_window: BatchingWindow = Field(default=0, description="seconds")

    @model_validator(mode="after")
    def _window_for_big_batches(self) -> SqsTrigger:
        if self.batch_size > SQS_UNWINDOWED_BATCH and self.batching_window == 0:
            raise ValueError(
                f"a batch_size above {SQS_UNWINDOWED_BATCH} needs a batching_window of at "
                "least 1 second (Lambda rejects the mapping otherwise)"
            )
        return self


class Triggers(_Strict):
    api: list[ApiTrigger] = Field(default_factory=list)
    schedule: list[ScheduleTrigger] = Field(default_factory=list)
    s3: list[S3Trigger] = Field(default_factory=list)
    sqs: list[SqsTrigger] = Field(default_factory=list)


class Secret(_Strict):
    """A credential a function reads at run time (Secrets Manager `<stack>-<workspace>-<name>`).

    Terraform creates it without a value; an operator sets the value once per
    environment, and `nox -s dev` reads local values from .woocom/secrets.json.
    """

    description: str = ""


# Levels come from the access table (terraform/modules/function/access.json).
TableAccess = Annotated[str, _access_level("table")]
BucketAccess = Annotated[str, _access_level("bucket")]
QueueAccess = Annotated[str, _access_level("queue")]
SecretAccess = Annotated[str, _access_level("secret")]


class Permissions(_Strict):
    table: dict[Name, TableAccess] = Field(default_factory=dict)
    bucket: dict[Name, BucketAccess] = Field(default_factory=dict)
    queue: dict[Name, QueueAccess] = Field(default_factory=dict)
    secret: dict[Name, SecretAccess] = Field(default_factory=dict)

    def of(self, kind: Kind) -> dict[str, str]:
        grants: dict[str, str] = getattr(self, kind)
        return grants


Architecture = Literal["arm64", "x86_64"]
Runtime = Literal["python3.11", "python3.12", "python3.13"]
VariableName = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]


class Defaults(_Strict):
    """What a function gets for each setting it does not declare."""

    runtime: Runtime = "python3.13"
    architecture: Architecture = "arm64"
    memory: Memory = 256
    timeout: Timeout = 10
    log_retention_days: LogRetentionDays = 30


class Function(_Strict):
    description: str = Field(default="", max_length=LAMBDA_DESCRIPTION_CHARS)
    folder: str | None = Field(default=None, description="folder under functions/; the name")
    handler: str = Field(pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$")
    # None: the stack's `defaults:` value (Stack.setting).
    runtime: Runtime | None = None
    architecture: Architecture | None = None
    memory: Memory | None = None
    timeout: Timeout | None = None
    log_retention_days: LogRetentionDays | None = None
    reserved_concurrency: ReservedConcurrency | None = None
    environment: dict[VariableName, str] = Field(default_factory=dict)
    triggers: Triggers = Field(default_factory=Triggers)
    permissions: Permissions = Field(default_factory=Permissions)

    @field_validator("environment")
    @classmethod
    def _deployable_environment(cls, value: dict[str, str]) -> dict[str, str]:
        reserved = sorted(set(value) & LAMBDA_RESERVED_VARIABLES)
        if reserved:
            raise ValueError(f"{', '.join(reserved)}: reserved by Lambda, which sets them itself")
        platform = sorted(
            k for k in value if k in PLATFORM_VARIABLES or _RESOURCE_VARIABLE.match(k)
        )
        if platform:
            raise ValueError(
                f"{', '.join(platform)}: set by the platform (WOOCOM_ENV, LOG_LEVEL, and "
                "TABLE_/BUCKET_/QUEUE_/SECRET_ variables from permissions); choose another name"
            )
        size = sum(len(k.encode()) + len(v.encode()) for k, v in value.items())
        if size > LAMBDA_ENVIRONMENT_BYTES:
            raise ValueError(
                f"{size} bytes of variables; Lambda allows {LAMBDA_ENVIRONMENT_BYTES} in all"
            )
        return value

    @field_validator("environment")
    @classmethod
    def _no_credentials_or_simulated_payments(cls, environment: dict[str, str]) -> dict[str, str]:
        # `environment:` applies to every deploy target, production included.
        if environment.get("PAYMENT_PROVIDER") == "simulated":
            raise ValueError(
                "PAYMENT_PROVIDER: simulated would apply to production too, where it would "
                "confirm unpaid orders; leave it out (every other environment simulates)"
            )
        for name in environment:
            if _CREDENTIAL_NAME.search(name):
                raise ValueError(
                    f"{name} looks like a credential: declare it under `secrets:` and grant "
                    "it with `permissions: {secret: {<name>: read}}`, never in environment:"
                )
        return environment


class Stack(_Strict):
    """The validated declaration. `load_stack` is the way in: it adds the cross-checks."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,20}$")]
    defaults: Defaults = Field(default_factory=Defaults)
    tables: dict[Name, Table]
    buckets: dict[Name, Bucket] = Field(default_factory=dict)
    queues: dict[Name, Queue] = Field(default_factory=dict)
    secrets: dict[Name, Secret] = Field(default_factory=dict)
    functions: dict[Name, Function]

    # --- derived views used by Terraform (via the stack document), the packager and the runtime

    def function(self, name: str) -> Function:
        try:
            return self.functions[name]
        except KeyError:
            known = ", ".join(sorted(self.functions))
            raise KeyError(f"no function {name!r} in stack.yaml (functions: {known})") from None

    def folder(self, name: str) -> str:
        return self.functions[name].folder or name

    def lambda_handler(self, name: str) -> str:
        """The handler string Lambda sees: the folder is a package inside the zip."""
        return f"{self.folder(name)}.{self.functions[name].handler}"

    def runtime(self, name: str) -> str:
        return self.functions[name].runtime or self.defaults.runtime

    def architecture(self, name: str) -> str:
        return self.functions[name].architecture or self.defaults.architecture

    def memory(self, name: str) -> int:
        return self.functions[name].memory or self.defaults.memory

    def timeout(self, name: str) -> int:
        return self.functions[name].timeout or self.defaults.timeout

    def log_retention_days(self, name: str) -> int:
        return self.functions[name].log_retention_days or self.defaults.log_retention_days

    def routes(self) -> Iterator[tuple[str, ApiTrigger]]:
        for fname, fn in self.functions.items():
            for api in fn.triggers.api:
                yield fname, api

    def access(self, name: str) -> dict[Kind, dict[str, str]]:
        """The access the function's role has: its permissions, plus `consume` on the queues
        its SQS triggers poll (Lambda polls with the function's role)."""
        fn = self.functions[name]
        table = access_table()
        granted: dict[Kind, dict[str, str]] = {
            kind: dict(fn.permissions.of(kind)) for kind in KINDS
        }
        for trigger in fn.triggers.sqs:
            declared = granted["queue"].get(trigger.queue)
            levels = ("consume",) if declared is None else (declared, "consume")
            granted["queue"][trigger.queue] = table.combine("queue", *levels)
        return granted


def resource_variables(permissions: Permissions) -> dict[str, tuple[Kind, str]]:
    """The variables a function gets for the resources it may touch: name -> (kind, resource).

    TABLE_<NAME>_NAME, BUCKET_<NAME>_NAME, QUEUE_<NAME>_URL, and SECRET_<NAME>_NAME (the
    secret's name, never its value); read by functions/storefront/settings.py. Terraform
    fills them from the stack document.
    """
    variables: dict[str, tuple[Kind, str]] = {}
    for name in permissions.table:
        variables[f"TABLE_{name.upper()}_NAME"] = ("table", name)
    for name in permissions.bucket:
        variables[f"BUCKET_{name.upper()}_NAME"] = ("bucket", name)
    for name in permissions.queue:
        variables[f"QUEUE_{name.upper()}_URL"] = ("queue", name)
    for name in permissions.secret:
        variables[f"SECRET_{name.upper()}_NAME"] = ("secret", name)
    return variables


def resource_environment(
    permissions: Permissions,
    table_names: Mapping[str, str],
    bucket_names: Mapping[str, str],
    queue_urls: Mapping[str, str],
    secret_names: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """`resource_variables` with values: table and bucket names, queue URLs, secret names."""
    values: dict[Kind, Mapping[str, str]] = {
        "table": table_names,
        "bucket": bucket_names,
        "queue": queue_urls,
        "secret": secret_names or {},
    }
    return {
        variable: values[kind][name]
        for variable, (kind, name) in resource_variables(permissions).items()
    }


# --- schedule expressions --------------------------------------------------------------

_RATE = re.compile(r"^rate\((?P<n>[1-9][0-9]*) (?P<unit>[a-z]+)\)$")
_RATE_UNITS = {"minute": "minutes", "hour": "hours", "day": "days"}
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?/,#L W-]+$")
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2199))
_CRON_NAMES = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")


def check_schedule_expression(expression: str) -> None:
    """Validate an EventBridge `rate(...)` or `cron(...)` expression; raise ValueError."""
    if expression.startswith("rate("):
        _check_rate(expression)
        return
    if not (expression.startswith("cron(") and expression.endswith(")")):
        raise ValueError(f"{expression!r} must be 'rate(...)' or 'cron(...)'")
    fields = expression[5:-1].split(" ")
    if len(fields) != 6:
        raise ValueError(
            f"{expression!r} needs 6 fields (minutes hours day-of-month month day-of-week year), "
            f"got {len(fields)}"
        )
    for field, name, (low, high) in zip(fields, _CRON_NAMES, _CRON_RANGES, strict=True):
        if not _CRON_FIELD.match(field):
            raise ValueError(f"{expression!r}: invalid {name} field {field!r}")
        for number in re.findall(r"\d+", field.split("/")[0]):
            if not low <= int(number) <= high:
                raise ValueError(f"{expression!r}: {name} value {number} is outside {low}-{high}")
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ValueError(f"{expression!r}: exactly one of day-of-month and day-of-week must be '?'")


def _check_rate(expression: str) -> None:
    match = _RATE.match(expression)
    if not match:
        raise ValueError(f"{expression!r} must look like 'rate(5 minutes)'")
    count, unit = int(match["n"]), match["unit"]
    wanted = unit_for(count, unit)
    if wanted is None:
        raise ValueError(f"{expression!r}: the unit must be minute(s), hour(s) or day(s)")
    if wanted != unit:
        raise ValueError(
            f"{expression!r}: EventBridge needs a singular unit for 1 and plural otherwise "
            f"(did you mean `{wanted}`?)"
        )


def unit_for(count: int, unit: str) -> str | None:
    """The unit EventBridge accepts for `count`, guessing from a near miss ("mins" -> minutes)."""
    plurals = list(_RATE_UNITS.values())
    singular = {plural: single for single, plural in _RATE_UNITS.items()}
    guess = unit if unit in plurals or unit in _RATE_UNITS else None
    if guess is None:
        close = difflib.get_close_matches(unit, [*_RATE_UNITS, *plurals], n=1, cutoff=0.5)
        if not close:
            return None
        guess = close[0]
    plural = _RATE_UNITS.get(guess, guess)
    return singular[plural] if count == 1 else plural


# --- loading ---------------------------------------------------------------------------


def _normalise_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/") or "/")


Problem = tuple[tuple[str | int, ...], str]


def load_stack(path: Path = STACK_FILE, functions_dir: Path | None = None) -> Stack:
    """Parse and validate `stack.yaml`: the model, its cross-references, the functions folder."""
    functions_dir = functions_dir or path.parent / "functions"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StackError(path, ["file not found"]) from None
    try:
        raw = yaml.safe_load(text)
        lines = _line_index(text)
    except yaml.YAMLError as exc:
        raise StackError(path, [_yaml_problem(exc)]) from None
    if not isinstance(raw, dict):
        raise StackError(path, ["the top level must be a mapping (name:, tables:, functions: ...)"])
    try:
        stack = Stack.model_validate(raw)
    except ValidationError as exc:
        raise StackError(path, _describe_validation(exc, lines)) from None
    problems = [
        _where(loc, lines) + message
        for loc, message in (*check_references(stack), *check_function_code(stack, functions_dir))
    ]
    if problems:
        raise StackError(path, problems)
    return stack


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's message without its `in "<unicode string>"` (StackError names the file)."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        context = f" ({exc.context})" if exc.context else ""
        where = f"line {mark.line + 1}, column {mark.column + 1}"
        return f"{where}: not valid YAML: {exc.problem}{context}"
    return f"not valid YAML: {exc}"


# The longest workspace name, dev-<12 characters> (woocom.deploy.environments, which a test
# holds in step), sets the room left for stack.yaml names.
LONGEST_WORKSPACE = 16


# Function names whose role name `<stack>-<workspace>-<name>` the stack gives another role.
RESERVED_FUNCTION_NAMES = {
    "canary": "the render-check canary's role (terraform/modules/canary)",
}


def check_references(stack: Stack) -> Iterator[Problem]:
    """What one model cannot see alone: names that must resolve, settings that must agree."""
    declared: dict[Kind, Mapping[str, object]] = {
        "table": stack.tables,
        "bucket": stack.buckets,
        "queue": stack.queues,
        "secret": stack.secrets,
    }
    routes: dict[str, tuple[str, str]] = {}  # "GET /items/{}" -> (function, route)
    parameters: dict[str, tuple[str, str, str]] = {}  # "/items" -> ("{id}", route, function)
    s3_filters: dict[str, list[tuple[str, int, S3Trigger]]] = {}
    for fname, fn in stack.functions.items():
        base: tuple[str | int, ...] = ("functions", fname)
        if fname in RESERVED_FUNCTION_NAMES:
            yield (
                base,
                (
                    f"the name '{fname}' is taken: '{stack.name}-<workspace>-{fname}' is "
                    f"{RESERVED_FUNCTION_NAMES[fname]}; name the function otherwise"
                ),
            )
        longest = len(stack.name) + len(fname) + LONGEST_WORKSPACE + 2
        if longest > FUNCTION_NAME_CHARS:
            yield (
                base,
                (
                    f"'{stack.name}-<workspace>-{fname}' can reach {longest} characters "
                    f"(workspaces up to {LONGEST_WORKSPACE}); Lambda and IAM names allow "
                    f"{FUNCTION_NAME_CHARS} here: shorten the function or stack name"
                ),
            )
        for kind, resources in declared.items():
            for res in fn.permissions.of(kind):
                if res not in resources:
                    yield (
                        (*base, "permissions", kind, res),
                        (
                            f"{kind} {res!r} is not declared under {kind}s: "
                            f"(declared: {', '.join(resources) or 'none'})"
                        ),
                    )
        yield from _one_trigger_per_resource(base, fn)
        for i, s3 in enumerate(fn.triggers.s3):
            if s3.bucket not in stack.buckets:
                yield (
                    (*base, "triggers", "s3", i, "bucket"),
                    (f"bucket {s3.bucket!r} is not declared under buckets:"),
                )
            s3_filters.setdefault(s3.bucket, []).append((fname, i, s3))
        for i, sqs in enumerate(fn.triggers.sqs):
            queue = stack.queues.get(sqs.queue)
            if queue is None:
                yield (
                    (*base, "triggers", "sqs", i, "queue"),
                    (f"queue {sqs.queue!r} is not declared under queues:"),
                )
            elif queue.visibility_timeout < stack.timeout(fname):
                yield (
                    (*base, "triggers", "sqs", i, "queue"),
                    (
                        f"queue {sqs.queue!r} has visibility_timeout {queue.visibility_timeout} s, "
                        f"less than the function's timeout {stack.timeout(fname)} s: Lambda "
                        "rejects the mapping (a message would reappear while still being processed)"
                    ),
                )
        for i, api in enumerate(fn.triggers.api):
            key = f"{api.method} {_normalise_path(api.path)}"
            if key in routes:
                other, other_route = routes[key]
                renamed = (
                    ""
                    if other_route == api.route
                    else f" as {other_route!r} (a parameter's name does not make a route distinct)"
                )
                yield (
                    (*base, "triggers", "api", i, "route"),
                    (
                        f"route {api.route!r} is already served by function {other!r}{renamed}: "
                        f"choose another path or method, or serve it from {other!r}"
                    ),
                )
                continue
            routes[key] = (fname, api.route)
            clash = _parameter_name_clash(api.route, api.path, fname, parameters)
            if clash:
                yield ((*base, "triggers", "api", i, "route"), clash)
    for bucket, filters in s3_filters.items():
        yield from _overlapping_s3_filters(bucket, filters)
    for bname in stack.buckets:
        longest = len(stack.name) + LONGEST_WORKSPACE + len(bname) + ACCOUNT_ID_CHARS + 3
        if longest > BUCKET_NAME_CHARS:
            yield (
                ("buckets", bname),
                (
                    f"the bucket name '{stack.name}-<workspace>-{bname}-<account id>' can reach "
                    f"{longest} characters; S3 allows {BUCKET_NAME_CHARS}: shorten it"
                ),
            )


def _parameter_name_clash(
    route: str, path: str, function: str, seen: dict[str, tuple[str, str, str]]
) -> str | None:
    """API Gateway (REST) has one resource per path segment: under one parent, one `{name}`.

    `/items/{id}` beside `/items/{sku}/reviews` would fail at apply ("A sibling ({id}) of
    this resource already has a variable path part"); `seen` collects the stack's names.
    """
    segments = path.strip("/").split("/")
    for depth, segment in enumerate(segments):
        if not segment.startswith("{"):
            continue
        parent = _normalise_path("/" + "/".join(segments[:depth]))
        name, other_route, other = seen.setdefault(parent, (segment, route, function))
        if name != segment:
            return (
                f"route {route!r} names its path parameter {segment} where route "
                f"{other_route!r} of function {other!r} has {name}; API Gateway allows one "
                f"parameter name per path position: rename it {name}"
            )
    return None


def _one_trigger_per_resource(base: tuple[str | int, ...], fn: Function) -> Iterator[Problem]:
    """A function polls a queue once and has one invoke permission per bucket."""
    for kind, names in (
        ("sqs", [t.queue for t in fn.triggers.sqs]),
        ("s3", [t.bucket for t in fn.triggers.s3]),
    ):
        for i, name in enumerate(names):
            if name in names[:i]:
                what = "queue" if kind == "sqs" else "bucket"
                yield (
                    (*base, "triggers", kind, i),
                    (
                        f"a second {kind} trigger on {what} {name!r}: one per {what} and function"
                        + (" (put both filters' files under one prefix)" if kind == "s3" else "")
                    ),
                )


def _overlapping_s3_filters(
    bucket: str, filters: list[tuple[str, int, S3Trigger]]
) -> Iterator[Problem]:
    """S3 refuses two notifications whose prefixes and suffixes both overlap."""
    for n, (first_fn, _, first) in enumerate(filters):
        for second_fn, index, second in filters[n + 1 :]:
            prefixes = first.prefix.startswith(second.prefix) or second.prefix.startswith(
                first.prefix
            )
            suffixes = first.suffix.endswith(second.suffix) or second.suffix.endswith(first.suffix)
            if prefixes and suffixes:
                yield (
                    ("functions", second_fn, "triggers", "s3", index),
                    (
                        f"overlaps {first_fn}'s trigger on bucket {bucket!r} (prefix "
                        f"{first.prefix!r}, suffix {first.suffix!r}): S3 rejects overlapping "
                        "notifications; make their prefixes or suffixes disjoint"
                    ),
                )


def check_function_code(stack: Stack, functions_dir: Path) -> Iterator[Problem]:
    """Each function's folder exists and its handler module defines the handler function.

    The module is parsed, never imported: validation must not run user code.
    """
    for name, fn in stack.functions.items():
        folder = functions_dir / stack.folder(name)
        loc: tuple[str | int, ...] = ("functions", name)
        if not folder.is_dir():
            yield (
                (*loc, "folder") if fn.folder else loc,
                f"folder {display_path(folder)} does not exist",
            )
            continue
        *module_parts, attr = fn.handler.split(".")
        module = folder.joinpath(*module_parts).with_suffix(".py")
        if not module.is_file():
            yield (
                (*loc, "handler"),
                f"handler module {display_path(module)} does not exist"
                + _handler_hint(fn.handler, folder),
            )
            continue
        try:
            tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
        except SyntaxError as exc:
            yield (
                (*loc, "handler"),
                f"{display_path(module)} line {exc.lineno}: syntax error: {exc.msg}",
            )
            continue
        defined = {
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        } | {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        if attr not in defined:
            yield (
                (*loc, "handler"),
                f"{display_path(module)} defines no {attr!r}" + _handler_hint(fn.handler, folder),
            )


def _handler_hint(handler: str, folder: Path) -> str:
    """The closest `module.function` that the folder's top-level modules define, if any."""
    candidates = []
    for module in sorted(folder.glob("*.py")):
        try:
            tree = ast.parse(module.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        candidates += [
            f"{module.stem}.{node.name}"
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
    close = difflib.get_close_matches(handler, candidates, n=1)
    if not close:
        return ""
    return (
        f" (did you mean {close[0]!r}? the handler is module.function inside "
        f"{display_path(folder)}/)"
    )


def _describe_validation(
    exc: ValidationError, lines: dict[tuple[str | int, ...], int]
) -> list[str]:
    problems: list[str] = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if not _is_model_tag(part))
        if error["type"] == "extra_forbidden":
            message = "unknown key" + _did_you_mean(loc)
        elif error["type"] == "missing":
            message = "required key is missing"
        else:
            message = error["msg"].removeprefix("Value error, ")
        problems.append(_where(loc, lines) + message)
    return problems


def _is_model_tag(part: Any) -> bool:
    return isinstance(part, str) and part.startswith(("function-", "tagged-union"))


def _did_you_mean(loc: tuple[str | int, ...]) -> str:
    known: dict[str, tuple[str, ...]] = {
        "top": tuple(Stack.model_fields),
        "function": tuple(Function.model_fields),
        "triggers": tuple(Triggers.model_fields),
        "permissions": tuple(Permissions.model_fields),
    }
    key = str(loc[-1])
    parent = str(loc[-2]) if len(loc) >= 2 else "top"
    if len(loc) == 1:
        pool = known["top"]
    elif len(loc) == 3 and loc[0] == "functions":
        pool = known["function"]
    else:
        pool = known.get(parent, ())
    return did_you_mean(key, pool)


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """` (did you mean 'x'?)` for the closest of `known`, or "" when none is close."""
    close = difflib.get_close_matches(word, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _where(loc: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> str:
    path = ".".join(str(part) for part in loc) or "(top level)"
    for depth in range(len(loc), 0, -1):
        if loc[:depth] in lines:
            return f"{path} (line {lines[loc[:depth]]}): "
    return f"{path}: "


def _line_index(text: str) -> dict[tuple[str | int, ...], int]:
    """Map each key path of the YAML document to its 1-based line number."""
    index: dict[tuple[str | int, ...], int] = {}

    def walk(node: yaml.Node, loc: tuple[str | int, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = (*loc, str(key_node.value))
                index[child] = key_node.start_mark.line + 1
                walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                index[(*loc, i)] = item.start_mark.line + 1
                walk(item, (*loc, i))

    root = yaml.compose(text)
    if root is not None:
        walk(root, ())
    return index
