"""The load benchmark (`make bench`).

Builds (or reuses) the national dataset, starts the server with 1 worker and then 2 workers,
runs wrk against 127.0.0.1 for each scenario, and writes bench/results/<timestamp>.json and a
readable table (.md). Budgets are ratios to the framework floor (`/healthz`) measured in the
same run, because the machine is shared and absolute numbers drift.

Environment: BENCH_DATABASE_URL (default: a PostgreSQL database `demensforlop_bench` on
127.0.0.1), BENCH_SECONDS (per scenario, default 10), BENCH_WORKERS (default "1,2");
for trying the runner itself: BENCH_ONLY (scenario names to keep) and BENCH_FILL_LIMIT.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from app.db import Database
from app.models.base import Role, Scope
from app.services import api_clients, identity
from app.services.access import SYSTEM
from bench.generate import generate
from tests.live import LiveServer
from tests.webtools import page, sign_in

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "lua"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/demensforlop_bench"
PASSWORD = "benchmark-password-1"  # noqa: S105 - a throwaway bench user
PUT_NUMBERS = ("5501", "5503", "5510", "5512")


@dataclass
class Scenario:
    name: str
    path: str
    connections: int = 8
    script: str = "get.lua"
    env: dict[str, str] = field(default_factory=dict)
    #: the status every answer must have
    expect: int = 200
    #: fresh environment values just before each wrk run (e.g. current ETags)
    refresh: Callable[[], dict[str, str]] | None = None


@dataclass
class Result:
    scenario: str
    workers: int
    connections: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    statuses: dict[str, int] = field(default_factory=dict)
    ratio: float | None = None


@dataclass
class Budget:
    scenario: str
    text: str
    ok: bool
    measured: str


# ---- preparation -------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing; installing it from Debian's packages")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit("wrk is needed for the benchmark: apt-get install wrk")


def recreate_if_postgres(url: str) -> None:
    """Create the PostgreSQL database if it does not exist yet (the dataset is reused)."""
    if not url.startswith("postgres"):
        return
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from app.db import make_engine
    from tests.dbtool import postgres_admin_url

    name = make_url(url).database
    admin = make_engine(postgres_admin_url(url), isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def prepare_people(url: str) -> dict[str, str]:
    """Bench users (not demo users) and tokens; created once, tokens every run."""
    database = Database(url)
    people = {
        "coordinator": ("bench.koordinator@example.no", Role.coordinator, ["5501"], []),
        "adviser": ("bench.radgiver@example.no", Role.adviser, [], ["troms"]),
        "admin": ("bench.admin@example.no", Role.admin, [], []),
    }
    tokens: dict[str, str] = {}
    try:
        for email, role, numbers, regions in people.values():
            with database.session(write=True) as session:
                try:
                    identity.create_user(
                        session,
                        SYSTEM,
                        email=email,
                        role=role,
                        password=PASSWORD,
                        municipalities=numbers,
                        regions=regions,
                    )
                except Exception:  # already there from an earlier run
                    session.rollback()
        with database.session(write=True) as session:
            tokens["read"] = api_clients.create_token(
                session, SYSTEM, name="bench read", scope=Scope.read, regions=["troms"]
            ).token
        with database.session(write=True) as session:
            tokens["write"] = api_clients.create_token(
                session, SYSTEM, name="bench write", scope=Scope.write, regions=["troms"]
            ).token
    finally:
        database.dispose()
    return {**{k: v[0] for k, v in people.items()}, **{f"token_{k}": v for k, v in tokens.items()}}


def session_cookie(server: LiveServer, email: str) -> str:
    with httpx.Client(base_url=server.url) as client:
        sign_in(client, email, PASSWORD)  # type: ignore[arg-type]
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def put_body() -> str:
    offerings = [
        {
            "type": key,
            "description": "Tilbudet gis av kommunen i samarbeid med frivillige. " * 2,
            "status": "available",
            "provider": "own",
        }
        for key in ("memory_team", "dementia_coordinator", "carers_school", "respite", "drop_in")
    ]
    return json.dumps(
        {
            "description": "Utredning ved mistanke om demens skjer hos fastlegen sammen med "
            "hukommelsesteamet. Endring nummer __COUNTER__. " + "Mer tekst om forløpet. " * 20,
            "responsible": "Hukommelsesteamet",
            "contact": {"name": "Demenskoordinator", "phone": "77 00 00 00", "hours": "08–15"},
            "maturity": "established",
            "needs_knowledge": False,
            "offerings": offerings,
        },
        ensure_ascii=False,
    )


# ---- running -----------------------------------------------------------------------------


def run_wrk(wrk: str, server: LiveServer, scenario: Scenario, seconds: int, workers: int) -> Result:
    fresh = scenario.refresh() if scenario.refresh else {}
    env = {**os.environ, "BENCH_LUA_DIR": str(LUA), **scenario.env, **fresh}
    threads = scenario.connections if scenario.script == "put_section.lua" else 2
    command = [
        wrk,
        f"-t{threads}",
        f"-c{scenario.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA / scenario.script),
        server.url + scenario.path,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    match = re.search(r"BENCH_JSON (\{.*\})", output)
    if match is None:
        raise RuntimeError(f"wrk gave no summary for {scenario.name}:\n{output}")
    data = json.loads(match.group(1))
    seconds_run = data["duration_us"] / 1e6
    errors = sum(
        data[k]
        for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return Result(
        scenario=scenario.name,
        workers=workers,
        connections=scenario.connections,
        requests=data["requests"],
        seconds=round(seconds_run, 2),
        rps=round(data["requests"] / seconds_run, 1),
        p50_ms=round(data["p50_us"] / 1000, 2),
        p95_ms=round(data["p95_us"] / 1000, 2),
        p99_ms=round(data["p99_us"] / 1000, 2),
        errors=errors,
        statuses=data.get("statuses", {}),
    )


def check_once(server: LiveServer, scenario: Scenario) -> None:
    """One request first, so a scenario that answers the wrong status fails loudly instead
    of being measured."""
    headers = {}
    if "BENCH_AUTHORIZATION" in scenario.env:
        headers["Authorization"] = scenario.env["BENCH_AUTHORIZATION"]
    if "BENCH_COOKIE" in scenario.env:
        headers["Cookie"] = scenario.env["BENCH_COOKIE"]
    if "BENCH_IF_NONE_MATCH" in scenario.env:
        headers["If-None-Match"] = scenario.env["BENCH_IF_NONE_MATCH"]
    if scenario.script != "get.lua":
        return
    response = httpx.get(server.url + scenario.path, headers=headers, timeout=60)
    if response.status_code != scenario.expect:
        raise RuntimeError(
            f"{scenario.name}: {scenario.path} answered {response.status_code}, "
            f"not {scenario.expect}"
        )


def scenarios(server: LiveServer, people: dict[str, str], body_file: Path) -> list[Scenario]:
    read = {"BENCH_AUTHORIZATION": f"Bearer {people['token_read']}"}
    pathway = httpx.get(
        f"{server.url}/api/v1/municipalities/5501/pathway",
        headers={"Authorization": read["BENCH_AUTHORIZATION"]},
    )
    public = httpx.get(f"{server.url}/kommuner/5501")
    coordinator = session_cookie(server, people["coordinator"])
    adviser = session_cookie(server, people["adviser"])
    admin = session_cookie(server, people["admin"])
    write = f"Bearer {people['token_write']}"

    def current_etags() -> dict[str, str]:
        return {
            f"BENCH_ETAG_{number}": httpx.get(
                f"{server.url}/api/v1/municipalities/{number}/pathway/phases/assessment",
                headers={"Authorization": write},
            ).headers["etag"]
            for number in PUT_NUMBERS
        }

    found: list[Scenario] = [
        Scenario("floor (/healthz)", "/healthz"),
        Scenario("GET pathway JSON", "/api/v1/municipalities/5501/pathway", env=read),
        Scenario(
            "GET pathway JSON, 304",
            "/api/v1/municipalities/5501/pathway",
            env={**read, "BENCH_IF_NONE_MATCH": pathway.headers["etag"]},
            expect=304,
        ),
        Scenario("public page", "/kommuner/5501", env={"BENCH_ACCEPT_ENCODING": "gzip"}),
        Scenario(
            "public page, 304",
            "/kommuner/5501",
            env={
                "BENCH_ACCEPT_ENCODING": "gzip",
                "BENCH_IF_NONE_MATCH": public.headers.get("etag", '"none"'),
            },
            expect=304,
        ),
        Scenario(
            "pathway editor page",
            "/app/kommuner/5501/forlop",
            env={"BENCH_COOKIE": coordinator, "BENCH_ACCEPT_ENCODING": "gzip"},
        ),
        Scenario(
            "PUT phase section",
            "/",
            connections=len(PUT_NUMBERS),
            script="put_section.lua",
            env={
                "BENCH_AUTHORIZATION": write,
                "BENCH_NUMBERS": ",".join(PUT_NUMBERS),
                "BENCH_BODY_FILE": str(body_file),
            },
            refresh=current_etags,
        ),
        Scenario("Troms overview (JSON)", "/api/v1/regions/troms/overview", env=read),
        Scenario(
            "Troms overview (page)",
            "/app/regioner/troms",
            env={"BENCH_COOKIE": adviser, "BENCH_ACCEPT_ENCODING": "gzip"},
        ),
        Scenario(
            "national overview (JSON)",
            "/api/v1/overview",
            connections=4,
            env={"BENCH_COOKIE": admin},
        ),
        Scenario(
            "national overview (page)",
            "/app/nasjonalt",
            connections=4,
            env={"BENCH_COOKIE": admin, "BENCH_ACCEPT_ENCODING": "gzip"},
        ),
    ]
    return found


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return round(int(match.group(1)) / 1024, 1) if match else 0.0


def worker_pids(server: LiveServer) -> list[int]:
    assert server.process is not None
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    kids = [int(p) for p in children.read_text().split()] if children.exists() else []
    # uvicorn --workers N: a supervisor with N worker children, spawned by multiprocessing
    # (beside its resource tracker, which is not a worker); 1 worker: the process itself.
    return [k for k in kids if "spawn_main" in _cmdline(k)] or [server.process.pid]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def first_load_bytes(server: LiveServer, cookie: str) -> dict[str, int]:
    """Bytes on the wire for a first visit to the editor: the HTML and every stylesheet and
    script it references, compressed as a browser would receive them."""
    sizes: dict[str, int] = {}
    with httpx.Client(
        base_url=server.url, headers={"Cookie": cookie, "Accept-Encoding": "gzip, br"}
    ) as client:
        response = client.get("/app/kommuner/5501/forlop")
        sizes["/app/kommuner/5501/forlop"] = response.num_bytes_downloaded
        document = page(response)
        assets = [n.get("href") for n in document.find_all("link") if n.get("rel") == "stylesheet"]
        assets += [n.get("src") for n in document.find_all("script") if n.get("src")]
        for asset in assets:
            if asset:
                sizes[asset] = client.get(asset).num_bytes_downloaded
    return sizes


# ---- budgets -----------------------------------------------------------------------------


def budgets(results: list[Result], memory: dict[str, float], first_load: int) -> list[Budget]:
    one = {r.scenario: r for r in results if r.workers == 1}
    checks: list[Budget] = []

    def ratio(name: str, minimum: float) -> None:
        r = one.get(name)
        ok = r is not None and r.ratio is not None and r.ratio >= minimum and r.errors == 0
        measured = f"{r.ratio:.2f}" if r and r.ratio is not None else "missing"
        checks.append(Budget(name, f"ratio ≥ {minimum:.2f}", ok, measured))

    ratio("GET pathway JSON", 0.30)
    ratio("GET pathway JSON, 304", 0.70)
    ratio("public page", 0.25)
    ratio("public page, 304", 0.70)
    ratio("pathway editor page", 0.10)
    put = one.get("PUT phase section")
    # Its ratio is reported beside the p95 but has no budget: writes are rare.
    put_ratio = f", ratio {put.ratio:.2f}" if put and put.ratio is not None else ""
    checks.append(
        Budget(
            "PUT phase section",
            f"p95 ≤ 100 ms at {put.connections if put else '?'} connections",
            put is not None and put.p95_ms <= 100 and put.errors == 0,
            f"{put.p95_ms} ms{put_ratio}" if put else "missing",
        )
    )
    for name, limit in (
        ("Troms overview (JSON)", 150),
        ("Troms overview (page)", 150),
        ("national overview (JSON)", 600),
        ("national overview (page)", 600),
    ):
        r = one.get(name)
        checks.append(
            Budget(
                name,
                f"p95 ≤ {limit} ms at {r.connections if r else '?'} connections",
                r is not None and r.p95_ms <= limit and r.errors == 0,
                f"{r.p95_ms} ms" if r else "missing",
            )
        )
    worst = max(memory.values()) if memory else 0.0
    checks.append(Budget("memory", "RSS of a worker ≤ 200 MB", 0 < worst <= 200, f"{worst} MB"))
    checks.append(
        Budget(
            "first load of the editor",
            "≤ 120 KB transferred",
            0 < first_load <= 120 * 1024,
            f"{first_load / 1024:.1f} KB",
        )
    )
    return checks


def table(results: list[Result], checks: list[Budget], meta: dict[str, Any]) -> str:
    lines = [
        f"Benchmark {meta['started']} — {meta['database']} — {meta['seconds']} s per scenario",
        "",
        "| workers | scenario | conns | req/s | ratio | p50 ms | p95 ms | p99 ms | errors |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else ""
        lines.append(
            f"| {r.workers} | {r.scenario} | {r.connections} | {r.rps:.0f} | {ratio} | "
            f"{r.p50_ms} | {r.p95_ms} | {r.p99_ms} | {r.errors} |"
        )
    lines += ["", "| budget (1 worker) | rule | measured | result |", "|---|---|---|---|"]
    for check in checks:
        lines.append(
            f"| {check.scenario} | {check.text} | {check.measured} | "
            f"{'PASS' if check.ok else 'FAIL'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    wrk = ensure_wrk()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    worker_counts = [int(n) for n in os.environ.get("BENCH_WORKERS", "1,2").split(",")]
    started = datetime.now(UTC)
    print(f"dataset: {url}")
    recreate_if_postgres(url)
    clock = time.monotonic()
    limit = os.environ.get("BENCH_FILL_LIMIT")  # for a quick try of the runner itself
    generate(url, limit=int(limit) if limit else None)
    print(f"dataset ready in {time.monotonic() - clock:.0f} s")
    people = prepare_people(url)
    # The bench's administrator signs in with the password alone (two-step verification is
    # what administrators need in production; it is not what the overview scenarios measure).
    os.environ["ADMIN_TWO_STEP"] = "false"
    # The per-token rate limit still runs on every API request, but never refuses: the bench
    # measures how fast an answer is, and one token asks far more than a client may.
    os.environ["API_RATE_LIMIT"] = str(10**9)
    # As the image runs the app (Dockerfile).
    os.environ["MALLOC_ARENA_MAX"] = "2"
    os.environ["MALLOC_MMAP_THRESHOLD_"] = "131072"
    body_file = Path(tempfile.mkdtemp()) / "put.json"
    body_file.write_text(put_body(), encoding="utf-8")

    results: list[Result] = []
    memory: dict[str, float] = {}
    first_load = 0
    for workers in worker_counts:
        # Logging as in production: one JSON line per request.
        server = LiveServer(url, workers=workers, demo=False, log_level="INFO")
        server.start(timeout=60)
        try:
            found = scenarios(server, people, body_file)
            only = [o for o in os.environ.get("BENCH_ONLY", "").split(",") if o]
            if only:
                found = [
                    s for s in found if s.name.startswith("floor") or any(o in s.name for o in only)
                ]
            floor = None
            for scenario in found:
                check_once(server, scenario)
                run_wrk(wrk, server, scenario, 2, workers)  # warm-up, not recorded
                result = run_wrk(wrk, server, scenario, seconds, workers)
                if scenario.name.startswith("floor"):
                    floor = result.rps
                result.ratio = round(result.rps / floor, 3) if floor else None
                results.append(result)
                print(
                    f"  {workers} worker(s)  {scenario.name:<28} {result.rps:>8.0f} req/s  "
                    f"p95 {result.p95_ms:>7.2f} ms  ratio {result.ratio}  errors {result.errors}  "
                    f"statuses {result.statuses}"
                )
            for pid in worker_pids(server):
                memory[f"{workers} worker(s), pid {pid}"] = rss_mb(pid)
            if workers == worker_counts[0]:
                first_load = sum(
                    first_load_bytes(server, session_cookie(server, people["coordinator"])).values()
                )
        finally:
            server.stop()

    checks = budgets(results, {k: v for k, v in memory.items() if k.startswith("1 ")}, first_load)
    meta = {
        "started": started.isoformat(timespec="seconds"),
        "database": re.sub(r"//[^@]*@", "//", url),
        "seconds": seconds,
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    report = {
        "meta": meta,
        "results": [asdict(r) for r in results],
        "memory_mb": memory,
        "first_load_bytes": first_load,
        "budgets": [asdict(c) for c in checks],
    }
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    text = table(results, checks, meta)
    (RESULTS / f"{stamp}.md").write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written: bench/results/{stamp}.json and .md")
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
