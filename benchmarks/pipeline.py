"""The report pipeline, side by side (issue 11): the current tree ("new") against the commit before the rework
("previous", a git worktree of ``PREVIOUS_COMMIT``), on the same seeded data, in one command.

1. The previous tree: ``git worktree add --detach var/bench/.previous PREVIOUS_COMMIT`` (reused afterwards), with a
   virtualenv of its own only if its requirements.txt differs from the current one (``make install`` there, which
   reuses the pip cache); otherwise the current .venv runs both trees.
2. The data, written in each tree through that tree's own services into a database of its own: the 2024
   consultation (``load_background_paper``), the Parties of the reference data (one of the 48 made inactive),
   delegation accounts, answers saved with ``answers_save_section``, 39 replies submitted by their head of
   delegation with ``response_submit`` (free texts of three to six paragraphs of policy prose, choices, rankings,
   numbers and legal references), plus drafts and a reply ready for sign-off that must not count. Same seed, same
   data in both trees.
3. Every report of the consultation (overview, articles, themes) built in PDF, DOCX, XLSX and all three at once,
   each build in a fresh process (its own peak RSS; Django set-up and imports excluded from the CPU).
4. The figures of the 18 article and theme reports of ``benchmarks/reports.py``'s synthetic sets against its SQL
   GROUP BY floor (PostgreSQL only: the floor is PostgreSQL SQL), run as ``reports.py --modes aggregate`` in each
   tree; 200 x 1,000 with ``--large``.
5. With ``--latency`` (new tree only): a Celery worker with beat on Redis, one more reply submitted, and the time
   until every built report of the consultation is current again.

    .venv/bin/python benchmarks/pipeline.py                      # SQLite files under var/bench/
    .venv/bin/python benchmarks/pipeline.py --db postgres --large --latency

The table is printed and written to var/bench/pipeline-YYYYMMDD-HHMM.md. What the trees expose and may rename is
read in one place: the "ADAPTER" section below.
"""

from __future__ import annotations

import argparse
import datetime
import filecmp
import importlib.util
import json
import os
import random
import re
import resource
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VAR = ROOT / "var" / "bench"
PREVIOUS_COMMIT = "0657f28"
# Hidden ("."): Django's makemessages skips dot-directories, so the old tree's strings never reach our catalogue.
PREVIOUS_DIR = VAR / ".previous"
SLUG = "emerging-technologies-2024"
PG_DATABASES = {"new": "bench_pipeline_new", "previous": "bench_pipeline_prev"}
PG_FIGURES = {"new": "bench_pipeline_figures_new", "previous": "bench_pipeline_figures_prev"}
FORMATS = ("pdf", "docx", "xlsx", "all")
SUBMITTED, DRAFTS, READY = 39, 3, 1
TARGETS = {"cpu_all": 4.0, "cpu_pdf": 8.0, "peak_mb": 250, "floor_small": 5.0, "floor_large": 3.0, "latency": 180}


# ---------------------------------------------------------------------------------------------------------------
# Inside a tree (child processes): Django set-up, then the ADAPTER, the generator and the measurements.
# ---------------------------------------------------------------------------------------------------------------


def _prose():
    spec = importlib.util.spec_from_file_location("bench_prose", HERE / "prose.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _setup_django(tree: Path) -> None:
    # benchmarks/ must not be importable: its reports.py would shadow the tree's ``reports`` app.
    sys.path[:] = [str(tree)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]
    os.chdir(tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log growing in memory


# === ADAPTER =====================================================================================================
# Everything the harness calls in a tree's own code. Both trees expose these names at PREVIOUS_COMMIT; if the new
# pipeline renames or reshapes one, adapt it here (try the new name first, fall back to the old one).


def adapter_scopes(consultation) -> list[str]:
    """The consultation's overview, article and theme reports, as scope texts (``overview``, ``article:20``)."""
    from reports.models import ScopeKind
    from reports.selectors.reports import scopes_by_consultation

    kinds = (ScopeKind.OVERVIEW, ScopeKind.ARTICLE, ScopeKind.THEME)
    return [
        s.label for s in scopes_by_consultation(consultation_ids=[consultation.pk])[consultation.pk] if s.kind in kinds
    ]


def adapter_build_prepare(consultation, scope_text: str):
    """Before the clock starts: import the build code and get (or create) the report row."""
    from reports.selectors.scopes import scope_parse
    from reports.services.builds import report_get_or_create

    return report_get_or_create(
        consultation=consultation, scope=scope_parse(consultation=consultation, text=scope_text)
    )


def adapter_build(report, fmt: str) -> int:
    """One build of ``report`` in ``fmt`` ("all": the three formats in one build); returns the bytes produced."""
    from reports.services.builds import report_build

    output = report_build(report=report, formats=() if fmt == "all" else [fmt])
    return sum(len(content) for content in output.files.values())


def adapter_build_all_current(consultation, scope_texts: list[str]) -> int:
    """Build these reports now, in this process, so that all are current (the latency set-up)."""
    from reports.selectors.scopes import scope_parse
    from reports.services.builds import reports_build_now

    scopes = [scope_parse(consultation=consultation, text=text) for text in scope_texts]
    runs = reports_build_now(consultation=consultation, scopes=scopes)
    return len(runs)


def adapter_reports_state(consultation) -> dict:
    """How many of the consultation's built reports are current (built from its data version), and its version."""
    from consultation.models import Consultation
    from reports.models import Report

    data_version = Consultation.objects.values_list("data_version", flat=True).get(pk=consultation.pk)
    built = Report.objects.filter(consultation=consultation, current_version__isnull=False)
    current = built.filter(built_data_version__gte=data_version).count()
    return {"data_version": data_version, "built": built.count(), "current": current}


def adapter_party_deactivate(party) -> None:
    """Make a Party inactive (before any reply exists)."""
    party.is_active = False
    party.save(update_fields=["is_active"])


def adapter_open(consultation) -> None:
    from consultation.demo import demo_consultation_open

    demo_consultation_open(consultation=consultation)


def adapter_save_answers(response, items_data: list, *, user, language: str) -> None:
    """Save a reply's answers as a delegation member would, a section (theme) at a time."""
    from consultation.services.answers import SectionChange, answers_save_section

    by_theme: dict[int, list] = {}
    for item, data in items_data:
        by_theme.setdefault(item.theme_id, []).append(SectionChange(item=item, data=data, base_version=0))
    for changes in by_theme.values():
        answers_save_section(response=response, changes=changes, user=user, language=language, source="import")


def adapter_submit(response, *, user) -> None:
    from consultation.services.responses import response_submit

    response_submit(response=response, user=user)


def adapter_mark_ready(response, *, user) -> None:
    from consultation.services.responses import response_mark_ready

    response_mark_ready(response=response, user=user)


# === end of ADAPTER ==============================================================================================


def _answer(item, rng: random.Random, prose, *, language: str) -> dict:
    """One item's answer: every field filled (optional texts three times in four), as a careful delegation would."""
    data = {}
    for field in item.fields.all():
        keys = [o.key for o in field.options.all()]
        if field.type == "single_choice":
            data[field.key] = rng.choices(keys, weights=[6, 4, 2, 1, 1][: len(keys)])[0]
        elif field.type == "multiple_choice":
            data[field.key] = rng.sample(keys, rng.randint(1, min(4, len(keys))))
        elif field.type == "ranking":
            data[field.key] = rng.sample(keys, len(keys))
        elif field.type == "number":
            data[field.key] = str(rng.randint(0, 2400))
        elif field.type == "text":
            if field.required or rng.random() < 0.75:
                data[field.key] = prose.policy_text(rng, language=language)
        elif field.type == "legal_references":
            data[field.key] = prose.legal_references(rng)
    return data


def _items(consultation):
    from consultation.models import Item

    return list(
        Item.objects.filter(consultation=consultation).prefetch_related("fields__options").order_by("order", "code")
    )


def _delegation(party, index: int):
    """A head of delegation and a member for the Party (deterministic addresses)."""
    from django.db import transaction

    from accounts.models import User
    from accounts.services import membership_set, user_create

    people = {}
    for role, first in (("head", "Head"), ("member", "Member")):
        email = f"{role}.{party.iso2.lower()}@bench.example"
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            with transaction.atomic():
                user = user_create(
                    email=email,
                    password=None,
                    first_name=first,
                    last_name=f"{party.name_en} {index}",
                    preferred_language=party.preferred_language or "en",
                )
                membership_set(user=user, party=party, role=role)
        people[role] = user
    return people


def child_generate(seed: int) -> dict:
    """The benchmark's data, through the tree's services (run once per fresh database)."""
    from django.core.management import call_command

    from consultation.models import Consultation, Party, Response

    prose = _prose()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    call_command("load_background_paper", verbosity=0)
    consultation = Consultation.objects.get(slug=SLUG)
    adapter_open(consultation)
    rng = random.Random(seed)
    parties = list(Party.objects.order_by("iso2"))
    inactive = rng.choice(parties)
    adapter_party_deactivate(inactive)
    active = [p for p in parties if p.pk != inactive.pk]
    order = rng.sample(active, len(active))
    roles = (
        [("submitted", p) for p in order[:SUBMITTED]]
        + [("draft", p) for p in order[SUBMITTED : SUBMITTED + DRAFTS]]
        + [("ready", p) for p in order[SUBMITTED + DRAFTS : SUBMITTED + DRAFTS + READY]]
    )
    items = _items(consultation)
    texts = paragraphs = characters = 0
    for index, (role, party) in enumerate(sorted(roles, key=lambda r: r[1].iso2)):
        people = _delegation(party, index)
        language = party.preferred_language or "en"
        from consultation.services.answers import response_get_or_create

        response = response_get_or_create(consultation=consultation, party=party)
        chosen = items if role != "draft" else items[: len(items) // 2]
        answers = [(item, _answer(item, rng, prose, language=language)) for item in chosen]
        for _item, data in answers:
            for field in _item.fields.all():
                if field.type == "text" and data.get(field.key):
                    texts += 1
                    paragraphs += data[field.key].count("\n\n") + 1
                    characters += len(data[field.key])
        adapter_save_answers(response, answers, user=people["member"], language=language)
        if role == "submitted":
            adapter_submit(response, user=people["head"])
        elif role == "ready":
            adapter_mark_ready(response, user=people["member"])
    for party in active:
        _delegation(party, 0)  # every active Party has a delegation, replying or not
    submitted = Response.objects.filter(consultation=consultation, status="submitted").count()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "parties": len(parties),
        "active": len(active),
        "inactive": inactive.iso2,
        "submitted": submitted,
        "drafts": DRAFTS,
        "ready": READY,
        "items": len(items),
        "texts": texts,
        "paragraphs_per_text": round(paragraphs / max(texts, 1), 1),
        "characters": characters,
    }


def _consultation():
    from consultation.models import Consultation

    return Consultation.objects.get(slug=SLUG)


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def child_build(scope_text: str, fmt: str) -> dict:
    """One build in this process. CPU and peak memory count the processes it starts too (the new pipeline
    typesets each PDF in a short-lived child process): CPU is this process's plus its children's, and the peak is
    the larger of this process's and its largest child's."""
    consultation = _consultation()
    report = adapter_build_prepare(consultation, scope_text)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    size = adapter_build(report, fmt)
    wall = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "cpu": round(_cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu, 3),
        "wall": round(wall, 3),
        "peak_mb": round(max(own, children), 1),
        "own_mb": round(own, 1),
        "child_mb": round(children, 1),
        "base_mb": round(baseline, 1),
        "bytes": size,
    }


def child_latency_prepare(scope_texts: list[str]) -> dict:
    consultation = _consultation()
    started = time.perf_counter()
    count = adapter_build_all_current(consultation, scope_texts or adapter_scopes(consultation))
    return {"built": count, "seconds": round(time.perf_counter() - started, 1), **adapter_reports_state(consultation)}


def child_latency_submit(seed: int, timeout: float) -> dict:
    """Submit one more reply through the services (a Party that had not replied), then wait for the reports."""
    from consultation.models import Party, Response

    prose = _prose()
    consultation = _consultation()
    replied = Response.objects.filter(consultation=consultation).values_list("party_id", flat=True)
    party = Party.objects.filter(is_active=True).exclude(pk__in=replied).order_by("iso2").first()
    rng = random.Random(seed + 1)
    people = _delegation(party, 99)
    language = party.preferred_language or "en"
    from consultation.services.answers import response_get_or_create

    response = response_get_or_create(consultation=consultation, party=party)
    answers = [(item, _answer(item, rng, prose, language=language)) for item in _items(consultation)]
    adapter_save_answers(response, answers, user=people["member"], language=language)
    before = adapter_reports_state(consultation)
    adapter_submit(response, user=people["head"])
    submitted = time.perf_counter()
    state = adapter_reports_state(consultation)
    target = state["data_version"]
    while time.perf_counter() - submitted < timeout:
        state = adapter_reports_state(consultation)
        if state["current"] >= state["built"] > 0 and state["data_version"] >= target:
            return {
                "party": party.iso2,
                "seconds": round(time.perf_counter() - submitted, 1),
                "before": before,
                **state,
            }
        time.sleep(1.0)
    return {"party": party.iso2, "seconds": None, "timeout": timeout, "before": before, **state}


def child_main(args) -> None:
    tree = Path(args.tree).resolve()
    _setup_django(tree)
    if args.child == "generate":
        result = child_generate(args.seed)
    elif args.child == "scopes":
        result = adapter_scopes(_consultation())
    elif args.child == "build":
        result = child_build(args.scope, args.format)
    elif args.child == "latency-prepare":
        result = child_latency_prepare([s for s in (args.scope or "").split(",") if s])
    elif args.child == "latency-submit":
        result = child_latency_submit(args.seed, args.timeout)
    else:
        raise SystemExit(f"unknown child mode {args.child}")
    print("BENCH-RESULT " + json.dumps(result))


# ---------------------------------------------------------------------------------------------------------------
# The parent: trees, databases, measurements, table.
# ---------------------------------------------------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, text=True, capture_output=True, **kwargs)


class Tree:
    """One pipeline: its source tree, its Python, its databases and the environment of its processes."""

    def __init__(self, label: str, path: Path, python: Path, *, db: str, pg: str) -> None:
        self.label, self.path, self.python, self.db, self.pg = label, path, python, db, pg
        self.commit = _run(["git", "-C", str(path), "rev-parse", "--short", "HEAD"]).stdout.strip()
        dirty = _run(["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no"]).stdout.strip()
        self.describe = self.commit + (" + uncommitted changes" if dirty else "")

    @property
    def database_url(self) -> str:
        if self.db == "sqlite":
            return f"sqlite:///{VAR / f'pipeline-{self.label}.sqlite3'}"
        return f"{self.pg.rstrip('/')}/{PG_DATABASES[self.label]}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": self.database_url,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            # Not eager, and nobody consumes it: the submissions' side effects (rebuilds, receipts) stay queued in
            # memory and vanish; the harness builds the reports itself.
            "CELERY_BROKER_URL": "memory://",
            "MEDIA_ROOT": str(VAR / f"media-{self.label}"),
            "EMAIL_URL": "dummymail://",
        }
        env.update(extra)
        return env

    def child(self, *arguments: str, timeout: float | None = None, **extra: str):
        command = [str(self.python), str(Path(__file__).resolve()), "--tree", str(self.path), "--child", *arguments]
        process = subprocess.run(
            command, cwd=self.path, env=self.env(**extra), text=True, capture_output=True, timeout=timeout
        )
        lines = [line for line in process.stdout.splitlines() if line.startswith("BENCH-RESULT ")]
        if process.returncode or not lines:
            tail = "\n".join((process.stderr or process.stdout).strip().splitlines()[-15:])
            raise RuntimeError(f"{self.label}: {' '.join(arguments)} failed ({process.returncode}):\n{tail}")
        return json.loads(lines[-1].removeprefix("BENCH-RESULT "))


def _pg_admin(pg: str, statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(f"{pg.rstrip('/')}/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def _pg_recreate(pg: str, name: str) -> None:
    _pg_admin(pg, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'])


def _pg_exists(pg: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{pg.rstrip('/')}/postgres", autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def previous_tree(*, commit: str, db: str, pg: str) -> Tree:
    """The worktree of the previous pipeline, created once; its own venv only if its requirements differ."""
    if not (PREVIOUS_DIR / "manage.py").exists():
        PREVIOUS_DIR.parent.mkdir(parents=True, exist_ok=True)
        _log(f"git worktree add --detach {PREVIOUS_DIR.relative_to(ROOT)} {commit}")
        _run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(PREVIOUS_DIR), commit])
    head = _run(["git", "-C", str(PREVIOUS_DIR), "rev-parse", "HEAD"]).stdout.strip()
    wanted = _run(["git", "-C", str(ROOT), "rev-parse", commit]).stdout.strip()
    if head != wanted:
        _run(["git", "-C", str(PREVIOUS_DIR), "checkout", "--detach", "--quiet", wanted])
    python = ROOT / ".venv" / "bin" / "python"
    if not filecmp.cmp(ROOT / "requirements.txt", PREVIOUS_DIR / "requirements.txt", shallow=False):
        _log("previous requirements differ: make install in the previous tree (pip cache reused)")
        _run(["make", "-C", str(PREVIOUS_DIR), "install"])
        python = PREVIOUS_DIR / ".venv" / "bin" / "python"
    return Tree("previous", PREVIOUS_DIR, python, db=db, pg=pg)


def prepare_data(tree: Tree, *, seed: int, reuse: bool) -> dict | None:
    """A fresh database with the seeded data (or, with ``--reuse-data``, the one left by an earlier run)."""
    stamp = VAR / f"pipeline-{tree.label}-{tree.db}.json"
    if tree.db == "sqlite":
        path = VAR / f"pipeline-{tree.label}.sqlite3"
        exists = path.exists()
    else:
        exists = _pg_exists(tree.pg, PG_DATABASES[tree.label])
    if reuse and exists and stamp.exists():
        summary = json.loads(stamp.read_text())
        if summary.get("seed") == seed and summary.get("commit") == tree.describe:
            _log(f"{tree.label}: reusing the data of {summary['generated_at']}")
            return summary
    if tree.db == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        _pg_recreate(tree.pg, PG_DATABASES[tree.label])
    _log(f"{tree.label}: generating the data through the services (seed {seed})")
    summary = tree.child("generate", "--seed", str(seed), timeout=3600)
    summary.update(seed=seed, commit=tree.describe, generated_at=f"{datetime.datetime.now():%Y-%m-%d %H:%M}")
    stamp.write_text(json.dumps(summary))
    _log(f"{tree.label}: {summary['submitted']} submitted replies, {summary['texts']} texts in {summary['seconds']} s")
    return summary


# --- figures against the floor (benchmarks/reports.py in each tree) ---------------------------------------------


def _parse_reports_text(output: str) -> dict[str, dict]:
    """Read benchmarks/reports.py's printed table (trees whose reports.py has no ``--json``)."""
    results: dict[str, dict] = {}
    size = None
    for line in output.splitlines():
        head = re.match(r"^(\d+x\d+): (\d+) typed answer rows, (\d+) article and theme reports", line)
        if head:
            size = head.group(1)
            results[size] = {"rows": int(head.group(2)), "reports": int(head.group(3))}
            continue
        floor = re.match(r"^\s+SQL floor: GROUP BY ([\d.]+) s, texts ([\d.]+) s", line)
        if floor and size:
            results[size]["floor"] = {"group_by": float(floor.group(1)), "texts": float(floor.group(2))}
            continue
        row = re.match(r"^\s+aggregate\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if row and size:
            results[size]["aggregate"] = {
                "seconds": float(row.group(2)),
                "cpu_seconds": float(row.group(4)),
                "peak_mb": int(row.group(5)),
                "queries": row.group(7),
            }
    return results


def figures(tree: Tree, *, sizes: list[str], reuse: bool) -> dict[str, dict]:
    """``reports.py --modes aggregate`` in the tree, on its own PostgreSQL database."""
    name = PG_FIGURES[tree.label]
    if not (reuse and _pg_exists(tree.pg, name)):
        _pg_recreate(tree.pg, name)
    script = tree.path / "benchmarks" / "reports.py"
    command = [str(tree.python), str(script), "--sizes", ",".join(sizes), "--modes", "aggregate"]
    json_path = VAR / f"figures-{tree.label}.json"
    has_json = "--json" in script.read_text()
    if has_json:
        json_path.unlink(missing_ok=True)
        command += ["--json", str(json_path)]
    env = tree.env(DATABASE_URL=f"{tree.pg.rstrip('/')}/{name}")
    process = subprocess.run(command, cwd=tree.path, env=env, text=True, capture_output=True, timeout=7200)
    if process.returncode:
        raise RuntimeError(f"{tree.label}: reports.py failed:\n{process.stderr.strip()[-2000:]}")
    if has_json and json_path.exists():
        return json.loads(json_path.read_text())
    return _parse_reports_text(process.stdout)


# --- latency -----------------------------------------------------------------------------------------------------


def latency(tree: Tree, *, scopes: list[str], seed: int, broker: str, timeout: float) -> dict:
    """Submission to current reports with a real worker (beat included) on Redis."""
    env = {"CELERY_BROKER_URL": broker}
    _log(f"{tree.label}: building the {len(scopes)} reports so that all are current before the submission")
    prepared = tree.child("latency-prepare", "--scope", ",".join(scopes), timeout=7200)
    celery = tree.python.parent / "celery"
    log = VAR / f"worker-{tree.label}.log"
    subprocess.run(
        [str(celery), "-A", "config", "purge", "-f"], cwd=tree.path, env=tree.env(**env), capture_output=True
    )
    command = [
        str(celery),
        "-A",
        "config",
        "worker",
        "--beat",
        "--loglevel=INFO",
        "--concurrency=2",
        "-n",
        f"bench-pipeline-{tree.label}@%h",
        "--schedule",
        str(VAR / f"celerybeat-{tree.label}"),
    ]
    with log.open("w") as handle:
        worker = subprocess.Popen(
            command,
            cwd=tree.path,
            env=tree.env(**env, LOG_LEVEL="INFO"),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while "ready." not in log.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start; see {log}")
            time.sleep(1)
        _log(f"{tree.label}: worker ready (pid {worker.pid}); submitting one more reply")
        result = tree.child("latency-submit", "--seed", str(seed), "--timeout", str(timeout), **env)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    result["prepared"] = prepared
    # The database now holds one more submission and built versions: never reuse it as the seeded data.
    (VAR / f"pipeline-{tree.label}-{tree.db}.json").unlink(missing_ok=True)
    return result


# --- machine and table ---------------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "unknown",
    )
    memory = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "nproc": _run(["nproc"]).stdout.strip(),
        "memory": f"{int(memory) / 1024 / 1024:.1f} GiB",
        "cpu": cpu,
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def _ratio(previous: float | None, new: float | None) -> float | None:
    if previous is None or new is None or new <= 0:
        return None
    return previous / new


def _x(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} ×"


def _ok(passed: bool | None) -> str:
    return "–" if passed is None else ("**pass**" if passed else "**fail**")


def table(context: dict) -> str:
    trees, builds = context["trees"], context["builds"]
    lines = [
        f"# Report pipeline, side by side — {context['started']:%Y-%m-%d %H:%M}",
        "",
        f"- Command: `{context['command']}`",
        f"- Machine: {context['machine']['nproc']} CPUs ({context['machine']['cpu']}), {context['machine']['memory']}, "
        f"load average at start {context['machine']['load']}; at end {context['load_end']}",
        f"- Database: {context['db']}; seed {context['seed']}",
        f"- previous: {trees['previous']} ({PREVIOUS_DIR.relative_to(ROOT)}); new: {trees['new']} (this tree)",
    ]
    for label, summary in context["data"].items():
        lines.append(
            f"- Data ({label}): {summary['active']} active Parties of {summary['parties']} ({summary['inactive']} "
            f"inactive), {summary['submitted']} submitted replies, {summary['drafts']} drafts and {summary['ready']} "
            f"ready for sign-off (not counted), {summary['items']} items; {summary['texts']} free texts, "
            f"{summary['paragraphs_per_text']} paragraphs each on average, {summary['characters']:,} characters; "
            f"generated through the services in {summary['seconds']} s"
        )
    lines += [
        "",
        "## Builds (one process per build; CPU = user + system of the build, Django set-up and imports excluded)",
        "",
        "| Report | Format | CPU s prev | CPU s new | CPU ratio | wall s prev | wall s new | peak MB prev | peak MB new |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    totals: dict[tuple[str, str], float] = {}
    peaks: dict[str, float] = {}
    for (scope, fmt), pair in builds.items():
        prev, new = pair.get("previous"), pair.get("new")
        for label, result in pair.items():
            totals[(label, fmt)] = totals.get((label, fmt), 0.0) + result["cpu"]
            peaks[label] = max(peaks.get(label, 0.0), result["peak_mb"])
        lines.append(
            f"| {scope} | {fmt} | {prev['cpu']:.2f} | {new['cpu']:.2f} | {_x(_ratio(prev['cpu'], new['cpu']))} | "
            f"{prev['wall']:.2f} | {new['wall']:.2f} | {prev['peak_mb']:.0f} | {new['peak_mb']:.0f} |"
            if prev and new
            else f"| {scope} | {fmt} | – | – | – | – | – | – | – |"
        )
    lines += [
        "",
        "## Totals and targets",
        "",
        "| Measure | previous | new | ratio | target | result |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for fmt, label, target in (
        ("all", "CPU s, every report in PDF + DOCX + XLSX (one build each)", TARGETS["cpu_all"]),
        ("pdf", "CPU s, every report in PDF alone", TARGETS["cpu_pdf"]),
        ("docx", "CPU s, every report in DOCX alone", None),
        ("xlsx", "CPU s, every report in XLSX alone", None),
    ):
        prev, new = totals.get(("previous", fmt)), totals.get(("new", fmt))
        if prev is None or new is None:
            continue
        ratio = _ratio(prev, new)
        lines.append(
            f"| {label} | {prev:.1f} | {new:.1f} | {_x(ratio)} | {f'≥ {target:.0f} ×' if target else '–'} | "
            f"{_ok(None if target is None or ratio is None else ratio >= target)} |"
        )
    if peaks:
        lines.append(
            f"| Peak MB of any single build | {peaks.get('previous', 0):.0f} | {peaks.get('new', 0):.0f} | – | "
            f"< {TARGETS['peak_mb']} MB (new) | {_ok(peaks.get('new', 0) < TARGETS['peak_mb'])} |"
        )
    if context.get("figures"):
        lines += [
            "",
            "## Figures of the 18 article and theme reports against the SQL floor (benchmarks/reports.py, PostgreSQL)",
            "",
            "| Size | Tree | GROUP BY floor s | texts s | aggregate s | CPU s | peak MB | × GROUP BY | × (GROUP BY + texts) "
            "| target | result |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for size in context["figure_sizes"]:
            target = TARGETS["floor_small"] if size != "200x1000" else TARGETS["floor_large"]
            for label in ("previous", "new"):
                result = context["figures"].get(label, {}).get(size)
                if not result or "aggregate" not in result or "floor" not in result:
                    lines.append(f"| {size} | {label} | – | – | – | – | – | – | – | ≤ {target:.0f} × | – |")
                    continue
                floor, aggregate = result["floor"], result["aggregate"]
                # The warm median when the tree's reports.py measures it (the floor is a warm median too); the
                # previous tree's script has only its single cold run.
                seconds = aggregate.get("warm_seconds") or aggregate["seconds"]
                ratio = seconds / floor["group_by"] if floor["group_by"] else None
                both = seconds / (floor["group_by"] + floor["texts"])
                lines.append(
                    f"| {size} | {label} | {floor['group_by']:.3f} | {floor['texts']:.3f} | {seconds:.3f} | "
                    f"{aggregate['cpu_seconds']:.2f} | {aggregate['peak_mb']} | {_x(ratio)} | {_x(both)} | "
                    f"≤ {target:.0f} × | {_ok(None if ratio is None else ratio <= target)} |"
                )
    elif context.get("figures_skipped"):
        lines += ["", f"Figures against the floor: skipped ({context['figures_skipped']})."]
    if context.get("latency"):
        result = context["latency"]
        seconds = result.get("seconds")
        lines += [
            "",
            "## Submission to current reports (new tree, Celery worker with beat on Redis)",
            "",
            f"One more reply ({result['party']}) submitted through `response_submit`; {result['built']} built reports, "
            f"{result['current']} current at data version {result['data_version']}; debounce "
            f"{context['debounce']}: **{'timeout' if seconds is None else f'{seconds:.0f} s'}** "
            f"(target < {TARGETS['latency']} s) {_ok(None if seconds is None else seconds < TARGETS['latency'])}",
        ]
    lines += ["", f"Total wall time of the run: {context['elapsed'] / 60:.1f} min."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite", help="The trees' databases.")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL.")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--previous", default=PREVIOUS_COMMIT, help="The commit of the previous pipeline.")
    parser.add_argument("--scopes", default="", help="Only these reports (comma-separated scope texts).")
    parser.add_argument("--formats", default=",".join(FORMATS), help="Among pdf,docx,xlsx,all.")
    parser.add_argument("--reuse-data", action="store_true", help="Keep databases generated by an earlier run.")
    parser.add_argument("--no-figures", action="store_true", help="Skip the figures against the SQL floor.")
    parser.add_argument("--large", action="store_true", help="Figures at 200 x 1,000 too (1 M rows).")
    parser.add_argument("--latency", action="store_true", help="Submission-to-current latency with a worker.")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--latency-timeout", type=float, default=900)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--scope", help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, default=900, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return

    VAR.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now()
    clock = time.perf_counter()
    context: dict = {
        "started": started,
        "command": " ".join(shlex.quote(a) for a in [".venv/bin/python", "benchmarks/pipeline.py", *sys.argv[1:]]),
        "machine": machine(),
        "db": args.db if args.db == "sqlite" else f"PostgreSQL ({', '.join(PG_DATABASES.values())})",
        "seed": args.seed,
        "builds": {},
        "data": {},
    }
    _log(f"machine: {context['machine']}")
    new = Tree("new", ROOT, ROOT / ".venv" / "bin" / "python", db=args.db, pg=args.pg)
    previous = previous_tree(commit=args.previous, db=args.db, pg=args.pg)
    trees = {"previous": previous, "new": new}
    context["trees"] = {label: tree.describe for label, tree in trees.items()}

    for label, tree in trees.items():
        context["data"][label] = prepare_data(tree, seed=args.seed, reuse=args.reuse_data)
    scopes = {label: tree.child("scopes") for label, tree in trees.items()}
    if scopes["previous"] != scopes["new"]:
        _log(f"the trees list different reports: {scopes}")
    wanted = [s for s in scopes["new"] if s in scopes["previous"]]
    if args.scopes:
        wanted = [s for s in args.scopes.split(",") if s in wanted]
    formats = [f for f in args.formats.split(",") if f in FORMATS]
    count = len(wanted) * len(formats)
    for index, (scope, fmt) in enumerate(((s, f) for s in wanted for f in formats), start=1):
        pair = context["builds"].setdefault((scope, fmt), {})
        for label, tree in trees.items():  # previous then new, one at a time: the same load for both
            pair[label] = tree.child("build", "--scope", scope, "--format", fmt, timeout=3600)
        _log(
            f"[{index}/{count}] {scope} {fmt}: CPU {pair['previous']['cpu']:.2f} s → {pair['new']['cpu']:.2f} s, "
            f"peak {pair['previous']['peak_mb']:.0f} → {pair['new']['peak_mb']:.0f} MB"
        )

    sizes = ["48x25"] + (["200x1000"] if args.large else [])
    context["figure_sizes"] = sizes
    if args.no_figures:
        context["figures_skipped"] = "--no-figures"
    else:
        try:
            _pg_exists(args.pg, "postgres")
        except Exception as exc:  # no PostgreSQL: the floor cannot be measured
            context["figures_skipped"] = f"PostgreSQL unreachable: {exc}"
        else:
            context["figures"] = {}
            for label, tree in trees.items():
                _log(f"{label}: benchmarks/reports.py --modes aggregate --sizes {','.join(sizes)}")
                context["figures"][label] = figures(tree, sizes=sizes, reuse=args.reuse_data)

    if args.latency:
        from_env = subprocess.run(
            [str(new.python), "-c", "import os; print(os.environ.get('REPORTS_REBUILD_DEBOUNCE_SECONDS', ''))"],
            text=True,
            capture_output=True,
        ).stdout.strip()
        context["debounce"] = f"{from_env} s (environment)" if from_env else "the default"
        context["latency"] = latency(
            new, scopes=wanted, seed=args.seed, broker=args.broker, timeout=args.latency_timeout
        )

    context["load_end"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
    context["elapsed"] = time.perf_counter() - clock
    text = table(context)
    out = VAR / f"pipeline-{started:%Y%m%d-%H%M}.md"
    out.write_text(text)
    print()
    print(text)
    _log(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
