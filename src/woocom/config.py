"""The `stack.yaml` model: load, validate and describe the platform declaration.

Everything the tooling does starts here. A bad file is rejected before anything
runs, with a message that names the file, the key path (and line) and the problem.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from woocom.paths import REPO_ROOT

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


# --- resources -------------------------------------------------------------------------


class Index(_Strict):
    hash_key: str
    range_key: str | None = None
    projection: Literal["ALL", "KEYS_ONLY"] = "ALL"


class Table(_Strict):
    hash_key: str
    range_key: str | None = None
    billing_mode: Literal["PAY_PER_REQUEST", "PROVISIONED"] = "PAY_PER_REQUEST"
    ttl_attribute: str | None = None
    indexes: dict[Name, Index] = Field(default_factory=dict)
    stream: Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"] | None = None


class Bucket(_Strict):
    versioning: bool = False
    expire_after_days: int | None = Field(default=None, ge=1)


class DeadLetterQueue(_Strict):
    max_receive_count: int = Field(ge=1, le=1000)
    retention_days: int = Field(default=14, ge=1, le=14)


class Queue(_Strict):
    visibility_timeout: int = Field(default=30, ge=0, le=43200)
    retention_days: int = Field(default=4, ge=1, le=14)
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
    batch_size: int = Field(default=10, ge=1, le=10000)
    batching_window: int = Field(default=0, ge=0, le=300, description="seconds")


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


SecretAccess = Literal["read"]
# Environment names that look like credentials: those belong under `secrets:`.
_CREDENTIAL_NAME = re.compile(r"(KEY|SECRET|TOKEN|PASSWORD|CREDENTIALS?)(_|$)")

TableAccess = Literal["read", "write", "read_write"]
BucketAccess = Literal["read", "write", "read_write"]
QueueAccess = Literal["send", "consume", "send_consume"]


class Permissions(_Strict):
    table: dict[Name, TableAccess] = Field(default_factory=dict)
    bucket: dict[Name, BucketAccess] = Field(default_factory=dict)
    queue: dict[Name, QueueAccess] = Field(default_factory=dict)
    secret: dict[Name, SecretAccess] = Field(default_factory=dict)


Architecture = Literal["arm64", "x86_64"]
Runtime = Literal["python3.11", "python3.12", "python3.13"]


class Defaults(_Strict):
    runtime: Runtime = "python3.13"
    architecture: Architecture = "arm64"
    memory: int = Field(default=256, ge=128, le=10240)
    timeout: int = Field(default=10, ge=1, le=900)
    log_retention_days: int = Field(default=30, ge=1)


class Function(_Strict):
    description: str = ""
    folder: str | None = Field(default=None, description="folder under functions/; the name")
    handler: str = Field(pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$")
    runtime: Runtime | None = None
    architecture: Architecture | None = None
    memory: int | None = Field(default=None, ge=128, le=10240)
    timeout: int | None = Field(default=None, ge=1, le=900)
    reserved_concurrency: int | None = Field(default=None, ge=0)
    environment: dict[Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")], str] = Field(
        default_factory=dict
    )
    triggers: Triggers = Field(default_factory=Triggers)
    permissions: Permissions = Field(default_factory=Permissions)

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
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,20}$")]
    defaults: Defaults = Field(default_factory=Defaults)
    tables: dict[Name, Table]
    buckets: dict[Name, Bucket] = Field(default_factory=dict)
    queues: dict[Name, Queue] = Field(default_factory=dict)
    secrets: dict[Name, Secret] = Field(default_factory=dict)
    functions: dict[Name, Function]

    @model_validator(mode="after")
    def _references_resolve(self) -> Stack:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        kinds: dict[str, Mapping[str, object]] = {
            "table": self.tables,
            "bucket": self.buckets,
            "queue": self.queues,
            "secret": self.secrets,
        }
        routes: dict[str, str] = {}
        for fname, fn in self.functions.items():
            base: tuple[str | int, ...] = ("functions", fname)
            for kind, declared in kinds.items():
                for res in getattr(fn.permissions, kind):
                    if res not in declared:
                        problems.append(
                            (
                                (*base, "permissions", kind, res),
                                f"{kind} {res!r} is not declared under {kind}s: "
                                f"(declared: {', '.join(declared) or 'none'})",
                            )
                        )
            for i, s3 in enumerate(fn.triggers.s3):
                if s3.bucket not in self.buckets:
                    problems.append(
                        (
                            (*base, "triggers", "s3", i, "bucket"),
                            f"bucket {s3.bucket!r} is not declared under buckets:",
                        )
                    )
            for i, sqs in enumerate(fn.triggers.sqs):
                if sqs.queue not in self.queues:
                    problems.append(
                        (
                            (*base, "triggers", "sqs", i, "queue"),
                            f"queue {sqs.queue!r} is not declared under queues:",
                        )
                    )
                elif sqs.batching_window == 0 and sqs.batch_size > 10:
                    problems.append(
                        (
                            (*base, "triggers", "sqs", i, "batch_size"),
                            "a batch_size above 10 needs a batching_window of at least 1 second",
                        )
                    )
            for i, api in enumerate(fn.triggers.api):
                key = f"{api.method} {_normalise_path(api.path)}"
                if key in routes:
                    problems.append(
                        (
                            (*base, "triggers", "api", i, "route"),
                            f"route {api.route!r} is already served by function {routes[key]!r}",
                        )
                    )
                else:
                    routes[key] = fname
        if problems:
            raise _ReferenceError(problems)
        return self

    # --- derived views used by Terraform-facing tools, the packager and the runtime ---

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

    def routes(self) -> Iterator[tuple[str, ApiTrigger]]:
        for fname, fn in self.functions.items():
            for api in fn.triggers.api:
                yield fname, api


def resource_environment(
    permissions: Permissions,
    table_names: Mapping[str, str],
    bucket_names: Mapping[str, str],
    queue_urls: Mapping[str, str],
    secret_names: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Environment variables a function gets for the resources it may touch.

    The same convention is implemented in terraform/stack (locals) and read by
    functions/storefront/settings.py: TABLE_<NAME>_NAME, BUCKET_<NAME>_NAME,
    QUEUE_<NAME>_URL, and SECRET_<NAME>_NAME (the secret's name, never its value).
    """
    env: dict[str, str] = {}
    for name in permissions.table:
        env[f"TABLE_{name.upper()}_NAME"] = table_names[name]
    for name in permissions.bucket:
        env[f"BUCKET_{name.upper()}_NAME"] = bucket_names[name]
    for name in permissions.queue:
        env[f"QUEUE_{name.upper()}_URL"] = queue_urls[name]
    if secret_names is not None:
        for name in permissions.secret:
            env[f"SECRET_{name.upper()}_NAME"] = secret_names[name]
    return env


# --- schedule expressions --------------------------------------------------------------

_RATE = re.compile(r"^rate\((?P<n>[1-9][0-9]*) (?P<unit>minute|minutes|hour|hours|day|days)\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?/,#L W-]+$")
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2199))
_CRON_NAMES = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")


def check_schedule_expression(expression: str) -> None:
    """Validate an EventBridge `rate(...)` or `cron(...)` expression; raise ValueError."""
    if expression.startswith("rate("):
        match = _RATE.match(expression)
        if not match:
            raise ValueError(f"{expression!r} must look like 'rate(5 minutes)'")
        singular = match["unit"].endswith("e") or match["unit"] in ("hour", "day")
        if (match["n"] == "1") != singular:
            raise ValueError(f"{expression!r}: use a singular unit for 1 and plural otherwise")
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


# --- loading ---------------------------------------------------------------------------


class _ReferenceError(ValueError):
    def __init__(self, problems: list[tuple[tuple[str | int, ...], str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def _normalise_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/") or "/")


def load_stack(path: Path = STACK_FILE, functions_dir: Path | None = None) -> Stack:
    """Parse and validate `stack.yaml`, including checks against the functions folder."""
    functions_dir = functions_dir or path.parent / "functions"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StackError(path, ["file not found"]) from None
    try:
        raw = yaml.safe_load(text)
        lines = _line_index(text)
    except yaml.YAMLError as exc:
        raise StackError(path, [f"not valid YAML: {exc}"]) from None
    if not isinstance(raw, dict):
        raise StackError(path, ["the top level must be a mapping (name:, tables:, functions: ...)"])
    try:
        stack = Stack.model_validate(raw)
    except ValidationError as exc:
        raise StackError(path, _describe_validation(exc, lines)) from None
    problems = [
        _where(loc, lines) + message for loc, message in check_function_code(stack, functions_dir)
    ]
    if problems:
        raise StackError(path, problems)
    return stack


def check_function_code(
    stack: Stack, functions_dir: Path
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Each function's folder exists and its handler module defines the handler function.

    The module is parsed, never imported: validation must not run user code.
    """
    for name, fn in stack.functions.items():
        folder = functions_dir / stack.folder(name)
        loc: tuple[str | int, ...] = ("functions", name)
        if not folder.is_dir():
            yield (*loc, "folder") if fn.folder else loc, f"folder {_rel(folder)} does not exist"
            continue
        *module_parts, attr = fn.handler.split(".")
        module = folder.joinpath(*module_parts).with_suffix(".py")
        if not module.is_file():
            yield (*loc, "handler"), f"handler module {_rel(module)} does not exist"
            continue
        try:
            tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
        except SyntaxError as exc:
            yield (*loc, "handler"), f"{_rel(module)} line {exc.lineno}: syntax error: {exc.msg}"
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
            yield (*loc, "handler"), f"{_rel(module)} defines no {attr!r}"


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _describe_validation(
    exc: ValidationError, lines: dict[tuple[str | int, ...], int]
) -> list[str]:
    problems: list[str] = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if not _is_model_tag(part))
        if error["type"] == "value_error" and isinstance(
            ctx := error.get("ctx", {}).get("error"), _ReferenceError
        ):
            problems.extend(_where(ref_loc, lines) + message for ref_loc, message in ctx.problems)
            continue
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
    import difflib

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
    close = difflib.get_close_matches(key, pool, n=1)
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
