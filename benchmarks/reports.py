"""Benchmark of the comparative reports (issue 6): time and peak memory of building every article and theme
report, aggregation alone and with each output format, against a hand-written SQL GROUP BY floor.

Synthetic data (bulk_create of answers and typed rows, no service calls): PARTIES × ITEMS, four fields per
item (single choice of 3, multiple choice of 5 — a ranking of 4 on every fifth item —, a number, a free text),
items tagged with one or two of 12 Convention articles and spread over 6 themes; 90 % of the Parties
submitted, the others have drafts (which must not count).

Each measurement runs in its own process, so the peak resident memory (``ru_maxrss``) is that build's alone.

    createdb -h 127.0.0.1 -U postgres bench_reports   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports \\
        .venv/bin/python benchmarks/reports.py --sizes 48x23,200x1000 --modes aggregate,html,pdf,docx,xlsx,all

Results: docs/benchmarks.md, section "Comparative reports".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = (6, 18, 19, 20, 21, 22, 23, 24, 25, 26, 30, 34)
THEMES = 6
SINGLE = (("yes", "Yes", "Oui"), ("partially", "Partially", "Partiellement"), ("no", "No", "Non"))
MULTIPLE = tuple((f"m{n}", f"Measure {n}", f"Mesure {n}") for n in range(1, 6))
RANKED = tuple((f"r{n}", f"Priority {n}", f"Priorité {n}") for n in range(1, 5))
MODES = {
    "aggregate": None,  # all reports' figures at once (the batch task, the command)
    "aggregate-each": None,  # each report's figures on its own (a single report's task)
    "html": (),
    "pdf": ("pdf",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "all": ("pdf", "docx", "xlsx"),
}


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log growing in memory


def _parties(count: int):
    from consultation.models import Party

    existing = list(Party.objects.order_by("name_en"))
    if len(existing) < count:
        used = {p.iso2 for p in existing}
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        codes = (a + b for a in letters for b in letters if a + b not in used and (a.isdigit() or b.isdigit()))
        Party.objects.bulk_create(
            [
                Party(iso2=next(codes), name_en=f"Synthetic Party {n:03d}", name_fr=f"Partie synthétique {n:03d}")
                for n in range(count - len(existing))
            ]
        )
        existing = list(Party.objects.order_by("name_en"))
    return existing[:count]


def generate(*, slug: str, parties: int, items: int, seed: int = 6):
    """The synthetic consultation (created once; later runs reuse it)."""
    from django.utils import timezone

    from consultation.models import (
        Answer,
        AnswerChoice,
        AnswerValue,
        Article,
        Consultation,
        Field,
        Item,
        Option,
        Response,
        ResponseSubmission,
        Theme,
    )
    from consultation.services.submitted import submitted_answers_replace

    rng = random.Random(seed)
    now = timezone.now()
    consultation = Consultation.objects.create(
        slug=slug, title_en=f"Benchmark {slug}", title_fr=f"Banc d'essai {slug}", status="open", data_version=1
    )
    themes = [
        Theme.objects.get_or_create(
            code=f"bench-theme-{n}", defaults={"name_en": f"Theme {n}", "name_fr": f"Thème {n}", "order": 200 + n}
        )[0]
        for n in range(1, THEMES + 1)
    ]
    articles = {a.number: a for a in Article.objects.filter(number__in=ARTICLES)}
    item_rows = Item.objects.bulk_create(
        [
            Item(
                consultation=consultation,
                code=f"B-{n:04d}",
                theme=themes[n % THEMES],
                order=n,
                text_en=f"Does the legislation cover measure {n}?",
                text_fr=f"La législation couvre-t-elle la mesure {n} ?",
            )
            for n in range(1, items + 1)
        ],
        batch_size=2000,
    )
    links = []
    for n, item in enumerate(item_rows, start=1):
        tagged = {ARTICLES[n % len(ARTICLES)]}
        if n % 3 == 0:
            tagged.add(ARTICLES[(n * 7) % len(ARTICLES)])
        links += [Item.articles.through(item_id=item.pk, article_id=articles[number].pk) for number in tagged]
    Item.articles.through.objects.bulk_create(links, batch_size=5000)

    fields, options = [], []
    spec = {}
    for n, item in enumerate(item_rows, start=1):
        ranked = n % 5 == 0
        item_fields = [
            Field(item=item, key="position", type="single_choice", order=1, label_en="Position", label_fr="Position"),
            Field(
                item=item,
                key="priorities" if ranked else "measures",
                type="ranking" if ranked else "multiple_choice",
                order=2,
                label_en="Priorities" if ranked else "Measures in place",
                label_fr="Priorités" if ranked else "Mesures en place",
            ),
            Field(item=item, key="cases", type="number", order=3, label_en="Recorded cases", label_fr="Affaires"),
            Field(item=item, key="explanation", type="text", order=4, label_en="Explanation", label_fr="Explication"),
        ]
        fields += item_fields
        spec[item.pk] = (item_fields, ranked)
    Field.objects.bulk_create(fields, batch_size=5000)
    for item_fields, ranked in spec.values():
        for field, choices in ((item_fields[0], SINGLE), (item_fields[1], RANKED if ranked else MULTIPLE)):
            options += [
                Option(field=field, key=key, label_en=en, label_fr=fr, order=order)
                for order, (key, en, fr) in enumerate(choices, start=1)
            ]
    Option.objects.bulk_create(options, batch_size=5000)
    option_of = {(o.field_id, o.key): o.pk for o in options}

    responses = Response.objects.bulk_create(
        [
            Response(
                consultation=consultation,
                party=party,
                status="draft" if index % 10 == 9 else "submitted",
                submitted_at=None if index % 10 == 9 else now,
            )
            for index, party in enumerate(_parties(parties))
        ]
    )
    for response in responses:
        answers = Answer.objects.bulk_create(
            [
                Answer(response=response, item=item, data={}, version=1, is_answered=True, is_complete=True)
                for item in item_rows
            ],
            batch_size=5000,
        )
        choices, values = [], []
        for answer in answers:
            (position, second, cases, explanation), ranked = spec[answer.item_id]
            key = rng.choices(SINGLE, weights=(5, 3, 2))[0][0]
            choices.append(AnswerChoice(answer=answer, field=position, option_id=option_of[(position.pk, key)]))
            if ranked:
                order = rng.sample([k for k, _en, _fr in RANKED], len(RANKED))
                choices += [
                    AnswerChoice(answer=answer, field=second, option_id=option_of[(second.pk, k)], rank=rank)
                    for rank, k in enumerate(order, start=1)
                ]
            else:
                picked = rng.sample([k for k, _en, _fr in MULTIPLE], rng.randint(1, 3))
                choices += [
                    AnswerChoice(answer=answer, field=second, option_id=option_of[(second.pk, k)]) for k in picked
                ]
            if rng.random() < 0.6:
                values.append(AnswerValue(answer=answer, field=cases, number=rng.randint(0, 500)))
            values.append(
                AnswerValue(
                    answer=answer,
                    field=explanation,
                    text=f"The Criminal Code, article {rng.randint(1, 400)}, covers this; "
                    f"a circular of {rng.randint(2015, 2025)} guides prosecutors.",
                )
            )
        AnswerChoice.objects.bulk_create(choices, batch_size=10000)
        AnswerValue.objects.bulk_create(values, batch_size=10000)
        if response.status == "submitted":  # what reports read: the copy the submission service writes
            submission = ResponseSubmission.objects.create(response=response, sequence=1, submitted_at=now)
            submitted_answers_replace(response=response, submission=submission)
    return consultation


def _scopes(consultation):
    from reports.models import ScopeKind
    from reports.selectors.reports import scopes_by_consultation

    return [
        scope
        for scope in scopes_by_consultation(consultation_ids=[consultation.pk])[consultation.pk]
        if scope.kind in (ScopeKind.ARTICLE, ScopeKind.THEME)
    ]


def measure(slug: str, mode: str, part: str = "0/1") -> dict:
    """One measurement, in this (fresh) process: build the article and theme reports of ``slug`` (share ``part``,
    "i/n", as the i-th of n batch tasks of ``REPORTS_BUILD_PARALLELISM`` would)."""
    _setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consultation.models import Consultation
    from reports import documents  # noqa: F401  (imports counted in the baseline, not the build)
    from reports.selectors.figures import report_figures, report_figures_many
    from reports.selectors.scopes import scope_items
    from reports.services.builds import report_build, report_get_or_create

    consultation = Consultation.objects.get(slug=slug)
    index, count = (int(n) for n in part.split("/"))
    scopes = _scopes(consultation)[index::count]
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    queries = []
    sizes = 0
    started = time.perf_counter()
    if mode == "aggregate-each":
        for scope in scopes:
            with CaptureQueriesContext(connection) as context:
                data = report_figures(
                    consultation=consultation,
                    items=scope_items(consultation=consultation, kind=scope.kind, key=scope.key),
                )
            queries.append(len(context.captured_queries))
            sizes += len(data["items"])
    else:
        with CaptureQueriesContext(connection) as context:
            figures = report_figures_many(consultation=consultation, scopes=scopes)
        queries.append(len(context.captured_queries))
        if MODES[mode] is not None:
            data_version = consultation.data_version
            for scope in scopes:
                report = report_get_or_create(consultation=consultation, scope=scope)
                output = report_build(
                    report=report,
                    formats=MODES[mode] or ("none",),
                    figures=figures[scope.label],
                    data_version=data_version,
                )
                sizes += len(output.html) + sum(len(content) for content in output.files.values())
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    warm = None
    if mode == "aggregate":
        # Measured the way the floor is: the median of five more runs in the same, warm process.
        runs = []
        for _ in range(5):
            again = time.perf_counter()
            report_figures_many(consultation=consultation, scopes=scopes)
            runs.append(time.perf_counter() - again)
        warm = round(statistics.median(runs), 3)
    return {
        "warm_seconds": warm,
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime - cpu_before, 2),
        "mode": mode,
        "reports": len(scopes),
        "seconds": round(elapsed, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "baseline_mb": round(baseline),
        "queries": sorted(set(queries)),
        "size": sizes,
    }


def sql_floor(consultation, runs: int = 5) -> dict:
    """The same aggregation as one hand-written SQL statement (per option: count and Party list; per field:
    replying Parties; ranks; number statistics; participation per article and per theme), and the plain read
    of the texts the compilations print."""
    from django.db import connection

    group_by = """
        WITH rows AS (
            SELECT c.item_id, c.party_id, p.name_en AS party, c.field_id, c.option_id, c.rank
            FROM consultation_submittedchoice c
            JOIN consultation_party p ON p.id = c.party_id
            WHERE c.consultation_id = %(c)s
        ), answered AS (
            SELECT a.item_id, a.party_id FROM consultation_submittedanswer a
            WHERE a.consultation_id = %(c)s AND a.is_answered
        )
        SELECT 'option' AS part, field_id, option_id, rank, count(DISTINCT party_id) AS n,
               string_agg(party, ', ' ORDER BY party) FILTER (WHERE rank IS NULL OR rank = 1) AS parties
        FROM rows GROUP BY field_id, option_id, rank
        UNION ALL
        SELECT 'field', field_id, NULL, NULL, count(DISTINCT party_id), NULL FROM rows GROUP BY field_id
        UNION ALL
        SELECT 'numbers', v.field_id, NULL, NULL, count(*),
               concat_ws(' ', sum(v.number), min(v.number), max(v.number),
                         percentile_cont(0.5) WITHIN GROUP (ORDER BY v.number))
        FROM consultation_submittedvalue v
        WHERE v.consultation_id = %(c)s AND v.number IS NOT NULL
        GROUP BY v.field_id
        UNION ALL
        SELECT 'article:' || ar.number, NULL, NULL, NULL, count(DISTINCT answered.party_id), NULL
        FROM answered JOIN consultation_item_articles ia ON ia.item_id = answered.item_id
        JOIN consultation_article ar ON ar.id = ia.article_id GROUP BY ar.number
        UNION ALL
        SELECT 'theme:' || t.code, NULL, NULL, NULL, count(DISTINCT answered.party_id), NULL
        FROM answered JOIN consultation_item i ON i.id = answered.item_id
        JOIN consultation_theme t ON t.id = i.theme_id GROUP BY t.code
    """
    texts = """
        SELECT v.field_id, p.name_en, v.text, a.language
        FROM consultation_submittedvalue v
        JOIN consultation_submittedanswer a ON a.id = v.answer_id
        JOIN consultation_party p ON p.id = v.party_id
        WHERE v.consultation_id = %(c)s AND v.text <> ''
        ORDER BY v.field_id, p.name_en
    """
    timings: dict[str, list[float]] = {"group_by": [], "texts": []}
    with connection.cursor() as cursor:
        for _ in range(runs):
            for name, sql in (("group_by", group_by), ("texts", texts)):
                started = time.perf_counter()
                cursor.execute(sql, {"c": consultation.pk})
                rows = cursor.fetchall()
                timings[name].append(time.perf_counter() - started)
                del rows
    return {name: round(statistics.median(values), 3) for name, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="48x23,200x1000", help="Comma-separated PARTIESxITEMS data sets.")
    parser.add_argument("--modes", default=",".join(MODES), help=f"Comma-separated, among {', '.join(MODES)}.")
    parser.add_argument("--jobs", type=int, default=1, help="Processes building at once (the worker concurrency).")
    parser.add_argument(
        "--json",
        metavar="FILE",
        help="Also write the figures as JSON to FILE: per size, its rows, reports, SQL floor and one entry per mode.",
    )
    parser.add_argument("--measure", nargs=3, metavar=("SLUG", "MODE", "PART"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from consultation.models import AnswerChoice, AnswerValue, Consultation

    print(f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')}")
    call_command("migrate", verbosity=0)
    summary: dict[str, dict] = {}
    for size in args.sizes.split(","):
        parties, items = (int(n) for n in size.split("x"))
        slug = f"bench-reports-{parties}x{items}"
        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            started = time.perf_counter()
            consultation = generate(slug=slug, parties=parties, items=items)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(f"generated {slug} in {time.perf_counter() - started:.1f} s")
        rows = (
            AnswerChoice.objects.filter(answer__response__consultation=consultation).count()
            + AnswerValue.objects.filter(answer__response__consultation=consultation).count()
        )
        print(f"\n{size}: {rows} typed answer rows, {len(_scopes(consultation))} article and theme reports")
        summary[size] = {"rows": rows, "reports": len(_scopes(consultation))}
        if connection.vendor == "postgresql":
            floor = sql_floor(consultation)
            summary[size]["floor"] = floor
            print(f"  SQL floor: GROUP BY {floor['group_by']:.3f} s, texts {floor['texts']:.3f} s")
        print(
            f"  {'mode':<14} {'jobs':>4} {'build s':>8} {'wall s':>8} {'CPU s':>7} {'peak MB':>8} {'base MB':>8} "
            f"{'queries':>8}"
        )
        for mode in args.modes.split(","):
            jobs = 1 if mode == "aggregate-each" else args.jobs
            started = time.perf_counter()
            processes = [
                subprocess.Popen(
                    [sys.executable, __file__, "--measure", slug, mode, f"{index}/{jobs}"],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env={**os.environ, "LOG_LEVEL": "WARNING"},
                )
                for index in range(jobs)
            ]
            results = []
            for process in processes:
                out, err = process.communicate()
                if process.returncode:
                    print(f"  {mode:<14} failed: {err.strip().splitlines()[-1:]}")
                    break
                results.append(json.loads(out.strip().splitlines()[-1]))
            if len(results) != jobs:
                continue
            wall = time.perf_counter() - started
            summary[size][mode] = {
                "jobs": jobs,
                "seconds": max(r["seconds"] for r in results),
                "wall_seconds": round(wall, 2),
                "cpu_seconds": round(sum(r["cpu_seconds"] for r in results), 2),
                "peak_mb": max(r["peak_mb"] for r in results),
                "baseline_mb": max(r["baseline_mb"] for r in results),
                "queries": sorted({q for r in results for q in r["queries"]}),
                "warm_seconds": max((r.get("warm_seconds") or 0) for r in results) or None,
            }
            warm = summary[size][mode]["warm_seconds"]
            if warm and connection.vendor == "postgresql":
                print(f"  {mode}: warm median {warm:.3f} s = {warm / floor['group_by']:.1f} x the GROUP BY floor")
            print(
                f"  {mode:<14} {jobs:>4} {max(r['seconds'] for r in results):>8.2f} {wall:>8.2f} "
                f"{sum(r['cpu_seconds'] for r in results):>7.2f} {max(r['peak_mb'] for r in results):>8} "
                f"{max(r['baseline_mb'] for r in results):>8} "
                f"{','.join(sorted({str(q) for r in results for q in r['queries']})) or '–':>8}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
