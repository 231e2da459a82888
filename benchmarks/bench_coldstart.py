"""Cold start of each function as Lambda pays it, next to a boto3-only handler, in one run.

A cold start here is what a fresh Lambda sandbox does: a new interpreter
(`python -I -B`) imports the handler from the function's *built zip*, extracted
into a read-only folder as `/var/task` is (so nothing is byte-compiled and
kept), with boto3 from a separate, pre-compiled "runtime" folder as the Lambda
Python runtime provides it, then serves one typical event against the
embedded emulator:

| function | event |
|---|---|
| catalog_api | GET /products/{sku} |
| orders_api | POST /orders (one line) |
| order_worker | one SQS record naming a PENDING order |
| catalog_import | a 10-row CSV dropped under imports/ |
| expire_orders | a scheduled sweep with nothing to expire |

Baseline, same run: a 20-line handler that uses boto3 only and does the same
DynamoDB GetItem as the catalog route. Each function is measured twice, from a
zip of sources only and from a zip that ships bytecode (`--bytecode always`),
so the figure says what the bytecode is worth. Figures are medians of 7
rounds; the rounds interleave every variant, so a load change on the shared
machine hits all alike. Reported apart: the byte-compile time of the zip's
sources (ours, dependencies'), creating a DynamoDB client, and the first request.

The zips are built for *this* CPU with the Lambda runtime's Python version
when this machine has it (pyenv, uv or PATH; `WOOCOM_PYTHON_3_13`); the output
names the interpreter every figure comes from.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from woocom.config import Defaults, Stack, load_stack
from woocom.events import api_gateway_event, s3_event, scheduled_event, sqs_event
from woocom.local.emulator import Emulator
from woocom.local.functions import function_environment, lambda_reserved_environment
from woocom.local.provision import Resources, function_name, provision, resource_prefix
from woocom.packaging import Packager, find_python, host_machine, pinned_version, uv_binary
from woocom.paths import BENCH_DIR, REPO_ROOT

RUNS = 7
TARGET_RATIO = 1.2
SKU = "BENCH-COLD-1"
CSV_ROWS = 10
VARIANTS = ("never", "always")

# Lambda's own bootstrap, in miniature: time the import, then one invocation.
RUNNER = """
import importlib, json, sys, time, uuid
started = time.perf_counter()
task, runtime, module_name, attribute, event = sys.argv[1:6]
sys.path[:0] = [task, runtime]
module = importlib.import_module(module_name)
imported = time.perf_counter()

class Context:
    function_name = "bench"
    memory_limit_in_mb = 256
    aws_request_id = str(uuid.uuid4())
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 60000

result = getattr(module, attribute)(json.loads(event), Context())
served = time.perf_counter()
answered_at = time.monotonic()
print(json.dumps({
    "served_at": answered_at,
    "import_ms": (imported - started) * 1000,
    "first_request_ms": (served - imported) * 1000,
    "result": result,
}))
"""

BASELINE_HANDLER = '''\
"""The floor: a handler that uses boto3 only and does the catalog route's GetItem."""

import json
import os

import boto3

TABLE = os.environ["TABLE_MAIN_NAME"]
DYNAMODB = boto3.client("dynamodb")


def handle(event, context):
    sku = event["pathParameters"]["sku"]
    found = DYNAMODB.get_item(
        TableName=TABLE, Key={"pk": {"S": f"PRODUCT#{sku}"}, "sk": {"S": "PRODUCT"}}
    )
    item = found.get("Item")
    if item is None:
        return {"statusCode": 404, "body": json.dumps({"error": {"code": "not_found"}})}
    body = {name: next(iter(value.values())) for name, value in item.items()}
    return {"statusCode": 200, "body": json.dumps(body, default=str)}
'''

COMPILE_PROBE = """
import json, sys, time
files = json.load(sys.stdin)
started = time.perf_counter()
for path in files:
    with open(path, "rb") as source:
        compile(source.read(), path, "exec")
print((time.perf_counter() - started) * 1000)
"""

CLIENT_PROBE = """
import sys, time
sys.path[:0] = [sys.argv[1]]
started = time.perf_counter()
import boto3
imported = time.perf_counter()
boto3.session.Session().client("dynamodb")
print((imported - started) * 1000, (time.perf_counter() - imported) * 1000)
"""


def interpreter(version: str) -> tuple[Path, str]:
    found = find_python(version)
    if found is not None:
        return found, version
    return Path(sys.executable), f"{sys.version_info.major}.{sys.version_info.minor}"


def host_stack(stack: Stack, python_version: str) -> Stack:
    """The same functions, built for this CPU and the interpreter that will run them."""
    architecture = "arm64" if host_machine() == "aarch64" else "x86_64"
    defaults = Defaults.model_validate(
        stack.defaults.model_dump()
        | {"runtime": f"python{python_version}", "architecture": architecture}
    )
    functions = {
        name: fn.model_copy(update={"runtime": None, "architecture": None})
        for name, fn in stack.functions.items()
    }
    return stack.model_copy(update={"defaults": defaults, "functions": functions})


def runtime_folder(python: Path, version: str, work: Path) -> Path:
    """boto3 as the Lambda runtime ships it: its own folder, already byte-compiled."""
    folder = work / f"runtime-{version}"
    if folder.is_dir():
        return folder
    boto3 = pinned_version("boto3", REPO_ROOT / "requirements" / "dev.txt")
    platform_tag = f"{host_machine()}-manylinux2014"
    partial = work / f"runtime-{version}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    subprocess.run(
        [
            *(uv_binary(), "pip", "install", "--quiet", "--target", str(partial)),
            *("--python-platform", platform_tag, "--python-version", version),
            *("--only-binary", ":all:", boto3),
        ],
        check=True,
    )
    subprocess.run(
        [str(python), "-I", "-m", "compileall", "-q", "-j", "1", str(partial)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    partial.rename(folder)
    return folder


def read_only(folder: Path) -> Path:
    """As /var/task is: Python can neither write nor keep bytecode there."""
    for path in [*sorted(folder.rglob("*"), reverse=True), folder]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    return folder


def extract_read_only(zip_path: Path, task: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(task)
    return read_only(task)


def make_writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def cold_start(
    python: Path,
    task: Path,
    runtime: Path,
    handler: str,
    event: dict[str, Any],
    env: dict[str, str],
) -> dict[str, Any]:
    module, _, attribute = handler.rpartition(".")
    # time.monotonic is one clock for every process (CLOCK_MONOTONIC): the child says
    # when it answered, so the figure ends at the response, not at interpreter exit
    # (a Lambda sandbox stays up after its first request).
    started = time.monotonic()
    done = subprocess.run(
        [
            *(str(python), "-I", "-B", "-c", RUNNER),
            *(str(task), str(runtime), module, attribute, json.dumps(event)),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{handler} failed its cold start:\n{done.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["total_ms"] = (figures.pop("served_at") - started) * 1000
    return figures


class Scenario:
    """The events that drive each function, made fresh for every cold start."""

    def __init__(self, emulator: Emulator, resources: Resources) -> None:
        self.emulator = emulator
        self.resources = resources
        self.pending_orders: list[str] = []
        self.csv_count = 0

    def seed_event(self) -> dict[str, Any]:
        """PUT the benchmark's product through the real catalog handler, as an admin."""
        body = {
            "name": "Cold start mug",
            "description": "Measured, not asserted.",
            "category": "bench",
            "price": "9.90",
            "currency": "EUR",
            "stock": 100000,
        }
        claims = {"sub": "bench", "cognito:username": "bench", "cognito:groups": "admin"}
        return api_gateway_event(
            "PUT",
            f"/products/{SKU}",
            resource="/products/{sku}",
            path_parameters={"sku": SKU},
            body=body,
            claims=claims,
        )

    def event(self, function: str) -> dict[str, Any]:
        if function in ("catalog_api", "baseline"):
            return api_gateway_event(
                "GET", f"/products/{SKU}", resource="/products/{sku}", path_parameters={"sku": SKU}
            )
        if function == "orders_api":
            body = {"email": "cold@example.com", "items": [{"sku": SKU, "quantity": 1}]}
            return api_gateway_event("POST", "/orders", body=body)
        if function == "order_worker":
            queue = self.resources.queues["orders"]
            order_id = self.pending_orders.pop(0)
            return sqs_event([json.dumps({"order_id": order_id})], queue_arn=queue.arn)
        if function == "catalog_import":
            self.csv_count += 1
            key = f"imports/cold-{self.csv_count}.csv"
            rows = ["sku,name,description,category,price,currency,stock"]
            rows += [
                f"COLD-{self.csv_count}-{n},Item {n},Imported,bench,1.{n:02d},EUR,{n}"
                for n in range(CSV_ROWS)
            ]
            bucket = self.resources.buckets["imports"]
            self.emulator.s3().put_object(Bucket=bucket, Key=key, Body="\n".join(rows).encode())
            return s3_event(bucket, [key])
        if function == "expire_orders":
            return scheduled_event()
        raise KeyError(function)

    def served(self, function: str, result: Any) -> None:
        """Fail loudly unless the invocation did the real work the figure claims."""
        if function in ("catalog_api", "baseline", "orders_api"):
            expected = 201 if function == "orders_api" else 200
            if result.get("statusCode") != expected:
                raise RuntimeError(f"{function} answered {result}")
            if function == "orders_api":
                self.pending_orders.append(json.loads(result["body"])["order_id"])
        elif function == "order_worker" and result.get("batchItemFailures"):
            raise RuntimeError(f"order_worker reported failures: {result}")


def compile_ms(python: Path, task: Path, local_packages: set[str]) -> tuple[float, float]:
    """Byte-compile time of the zip's own sources and of its dependencies' sources."""
    ours, theirs = [], []
    for path in sorted(task.rglob("*.py")):
        top = path.relative_to(task).parts[0]
        (ours if top in local_packages else theirs).append(str(path))
    figures = []
    for files in (ours, theirs):
        done = subprocess.run(
            [str(python), "-I", "-c", COMPILE_PROBE],
            input=json.dumps(files),
            capture_output=True,
            text=True,
            check=True,
        )
        figures.append(float(done.stdout))
    return figures[0], figures[1]


def run() -> dict[str, object]:
    stack_file = load_stack(REPO_ROOT / "stack.yaml")
    python, version = interpreter(
        stack_file.runtime(next(iter(stack_file.functions))).removeprefix("python")
    )
    stack = host_stack(stack_file, version)
    work = BENCH_DIR / "coldstart"
    work.mkdir(parents=True, exist_ok=True)
    runtime = runtime_folder(python, version, work)
    print(f"  Python {version} ({python}) on {host_machine()}", flush=True)
    zips: dict[str, dict[str, Path]] = {}
    for variant in VARIANTS:
        packager = Packager(
            REPO_ROOT,
            work / f"build-{variant}",
            import_check=False,
            bytecode=variant,
            progress=lambda _: None,
        )
        manifest = packager.build(stack)
        zips[variant] = {name: REPO_ROOT / a.zip for name, a in manifest.functions.items()}
    sizes = {
        variant: {name: path.stat().st_size for name, path in paths.items()}
        for variant, paths in zips.items()
    }
    emulator = Emulator().start()
    tmp = Path(tempfile.mkdtemp(prefix="woocom-coldstart-"))
    try:
        resources = provision(stack, emulator, resource_prefix(stack))
        scenario = Scenario(emulator, resources)
        base_env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", **emulator.environment()}
        tasks: dict[str, Path] = {}
        envs: dict[str, dict[str, str]] = {}
        for variant, paths in zips.items():
            for name, zip_path in paths.items():
                tasks[f"{name}/{variant}"] = extract_read_only(zip_path, tmp / variant / name)
        baseline = tmp / "baseline"
        (baseline / "baseline").mkdir(parents=True)
        (baseline / "baseline" / "__init__.py").write_text("")
        (baseline / "baseline" / "handler.py").write_text(BASELINE_HANDLER)
        tasks["baseline"] = read_only(baseline)
        for name in stack.functions:
            aws_name = function_name(stack, name)
            envs[name] = {
                **base_env,
                **function_environment(stack, name, resources),
                **lambda_reserved_environment(stack, name, aws_name),
            }
        envs["baseline"] = envs["catalog_api"]
        seeded = cold_start(
            python,
            tasks["catalog_api/always"],
            runtime,
            stack.lambda_handler("catalog_api"),
            scenario.seed_event(),
            envs["catalog_api"],
        )
        if seeded["result"].get("statusCode") not in (200, 201):
            raise RuntimeError(f"seeding the benchmark product failed: {seeded['result']}")
        order = ["baseline"] + [
            f"{name}/{variant}"
            for variant in VARIANTS
            # orders before the worker: each POST /orders leaves the PENDING order it consumes
            for name in (
                "catalog_api",
                "orders_api",
                "order_worker",
                "catalog_import",
                "expire_orders",
            )
            if name in stack.functions
        ]
        samples: dict[str, list[dict[str, Any]]] = {key: [] for key in order}
        for round_number in range(1, RUNS + 1):
            print(f"  round {round_number}/{RUNS}", flush=True)
            for key in order:
                function = key.split("/")[0]
                handler = (
                    "baseline.handler.handle"
                    if key == "baseline"
                    else stack.lambda_handler(function)
                )
                figures = cold_start(
                    python, tasks[key], runtime, handler, scenario.event(function), envs[function]
                )
                scenario.served(function, figures.pop("result"))
                samples[key].append(figures)
        ours_ms, deps_ms = compile_ms(
            python, tasks["catalog_api/never"], {"catalog_api", "storefront"}
        )
        client = subprocess.run(
            [str(python), "-I", "-c", CLIENT_PROBE, str(runtime)],
            env=envs["catalog_api"],
            capture_output=True,
            text=True,
            check=True,
        )
        boto3_import_ms, client_ms = (float(x) for x in client.stdout.split())
    finally:
        emulator.stop()
        make_writable(tmp)
        shutil.rmtree(tmp, ignore_errors=True)

    def median(key: str, field: str) -> float:
        return round(statistics.median(s[field] for s in samples[key]), 1)

    base_total = median("baseline", "total_ms")
    functions: dict[str, Any] = {}
    for name in stack.functions:
        functions[name] = {
            variant: {
                "total_ms": median(f"{name}/{variant}", "total_ms"),
                "import_ms": median(f"{name}/{variant}", "import_ms"),
                "first_request_ms": median(f"{name}/{variant}", "first_request_ms"),
                "ratio_to_baseline": round(median(f"{name}/{variant}", "total_ms") / base_total, 2),
                "zip_bytes": sizes[variant][name],
            }
            for variant in VARIANTS
        }
    shipped = {name: f["always"]["ratio_to_baseline"] for name, f in functions.items()}
    worst = max(shipped.values())
    summary = [
        f"Python {version} on {host_machine()}; medians of {RUNS} cold starts "
        "(process start to the first response; zip extracted read-only)",
        f"baseline (boto3 only, GetItem): {base_total} ms "
        f"(import {median('baseline', 'import_ms')} ms, "
        f"first request {median('baseline', 'first_request_ms')} ms)",
    ]
    for name, f in functions.items():
        never, always = f["never"], f["always"]
        summary.append(
            f"{name}: {always['total_ms']} ms = {always['ratio_to_baseline']}x with bytecode "
            f"(import {always['import_ms']}, first request {always['first_request_ms']}); "
            f"sources only {never['total_ms']} ms = {never['ratio_to_baseline']}x"
        )
    summary += [
        f"byte-compiling the catalog zip's sources: ours {ours_ms:.1f} ms, "
        f"dependencies {deps_ms:.1f} ms (paid on every cold start without bytecode)",
        f"import boto3 {boto3_import_ms:.1f} ms; creating a DynamoDB client {client_ms:.1f} ms",
        f"worst ratio with bytecode {worst}x: "
        + ("meets" if worst <= TARGET_RATIO else "MISSES")
        + f" the {TARGET_RATIO}x target",
    ]
    table = [
        f"Python {version} on {host_machine()}, median of {RUNS} cold starts, "
        "process start to first response:",
        "",
        "| function | with bytecode | x baseline | import | first request "
        "| sources only | x baseline | zip |",
        "|---|---|---|---|---|---|---|---|",
        f"| boto3-only baseline | {base_total} ms | 1.00 | {median('baseline', 'import_ms')} ms "
        f"| {median('baseline', 'first_request_ms')} ms | | | |",
    ]
    for name, f in functions.items():
        never, always = f["never"], f["always"]
        table.append(
            f"| {name} | {always['total_ms']} ms | {always['ratio_to_baseline']} "
            f"| {always['import_ms']} ms | {always['first_request_ms']} ms "
            f"| {never['total_ms']} ms | {never['ratio_to_baseline']} "
            f"| {always['zip_bytes'] / 1e6:.2f} MB |"
        )
    table += [
        "",
        f"Byte-compiling a zip's sources (what every cold start pays without bytecode): "
        f"ours {ours_ms:.0f} ms, dependencies {deps_ms:.0f} ms. `import boto3` "
        f"{boto3_import_ms:.0f} ms; creating a DynamoDB client {client_ms:.0f} ms "
        "(the baseline pays it at import, our handlers on the first request).",
    ]
    return {
        "table": "\n".join(table),
        "python": version,
        "interpreter": str(python),
        "machine": host_machine(),
        "runs": RUNS,
        "baseline": {
            "total_ms": base_total,
            "import_ms": median("baseline", "import_ms"),
            "first_request_ms": median("baseline", "first_request_ms"),
        },
        "functions": functions,
        "compile_ms": {"ours": round(ours_ms, 1), "dependencies": round(deps_ms, 1)},
        "boto3_import_ms": round(boto3_import_ms, 1),
        "dynamodb_client_ms": round(client_ms, 1),
        "worst_ratio": worst,
        "target_ratio": TARGET_RATIO,
        "meets_target": worst <= TARGET_RATIO,
        "summary": summary,
    }
