"""Benchmark of saving a whole 1,000-item reply by sections (``answers_save_section``): time and queries.

Builds (once, with bulk_create) an open consultation of 1,000 items, each with a single choice (yes /
partially / no) and a text field, then saves one Party's whole reply by sections of 100 items, each
section in its own transaction as a section form would, twice per run:
- **first save**: the reply is empty, every answer is created;
- **second save**: every answer changes (new position and text), every answer is updated.
Each run starts from an empty reply. Prints, per run and as the median of the runs, the total time, the time
per section and the query count per section. ``--baseline`` also times the same first save item by item
through ``answer_save`` (one transaction per item), in the same process.

Run on PostgreSQL (see docs/benchmarks.md, "Saving a reply by sections"):

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_sections"     # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sections .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sections \\
        .venv/bin/python benchmarks/section_save.py --runs 3 --baseline
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

SLUG = "bench-sections"
OPTIONS = (("yes", "Yes", "Oui"), ("partially", "Partially", "Partiellement"), ("no", "No", "Non"))


def _setup_django() -> None:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def build_consultation(*, items: int):
    """The open consultation of ``items`` items (single choice + text), created with bulk_create if missing."""
    import datetime

    from django.utils import timezone

    from consultation.models import Consultation, Field, Item, Option, Theme

    consultation = Consultation.objects.filter(slug=SLUG).first()
    if consultation is not None and consultation.items.count() == items:
        return consultation
    if consultation is not None:
        consultation.responses.all().delete()
        consultation.delete()
    today = timezone.localdate()
    consultation = Consultation.objects.create(
        slug=SLUG,
        title_en="Benchmark: saving a reply by sections",
        title_fr="Banc d'essai : enregistrer une réponse par sections",
        status="open",
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=30),
    )
    theme, _created = Theme.objects.get_or_create(
        code="bench-sections", defaults={"name_en": "Benchmark", "name_fr": "Banc d'essai"}
    )
    Item.objects.bulk_create(
        Item(
            consultation=consultation,
            code=f"BENCH-{n:04d}",
            theme=theme,
            order=n,
            text_en=f"Is there sufficient legislative coverage, question {n}?",
            text_fr=f"La couverture législative est-elle suffisante, question {n} ?",
        )
        for n in range(1, items + 1)
    )
    item_pks = list(consultation.items.order_by("order").values_list("pk", flat=True))
    fields = []
    for pk in item_pks:
        fields.append(
            Field(item_id=pk, key="position", type="single_choice", required=True, order=1, label_en="Position")
        )
        fields.append(Field(item_id=pk, key="explanation", type="text", order=2, label_en="Explanation"))
    Field.objects.bulk_create(fields, batch_size=2000)
    choice_fields = Field.objects.filter(item__consultation=consultation, key="position").values_list("pk", flat=True)
    Option.objects.bulk_create(
        (
            Option(field_id=pk, key=key, label_en=en, label_fr=fr, order=order)
            for pk in choice_fields
            for order, (key, en, fr) in enumerate(OPTIONS, start=1)
        ),
        batch_size=3000,
    )
    return consultation


def _empty_reply(consultation, party):
    from consultation.models import Response

    Response.objects.filter(consultation=consultation, party=party).delete()
    return Response.objects.create(consultation=consultation, party=party)


def _save_by_sections(*, reply, items, user, section: int, version: int) -> tuple[list[float], list[int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consultation.services.answers import SectionChange, answers_save_section

    position = OPTIONS[version % 3][0]
    times, queries = [], []
    for start in range(0, len(items), section):
        changes = [
            SectionChange(
                item=item,
                data={"position": position, "explanation": f"Criminal Code, art. {n}, as amended (v{version + 1})."},
                base_version=version,
            )
            for n, item in enumerate(items[start : start + section], start=start + 1)
        ]
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            answers = answers_save_section(response=reply, changes=changes, user=user, language="en")
            times.append(time.perf_counter() - began)
        assert all(answer.version == version + 1 for answer in answers)
        queries.append(len(captured))
    return times, queries


def _save_item_by_item(*, reply, items, user) -> float:
    from consultation.services.answers import answer_save

    began = time.perf_counter()
    for n, item in enumerate(items, start=1):
        answer_save(
            response=reply,
            item=item,
            data={"position": "yes", "explanation": f"Criminal Code, art. {n}, as amended (v1)."},
            base_version=0,
            user=user,
        )
    return time.perf_counter() - began


def _check(reply, items: int) -> None:
    from consultation.models import Answer, AnswerChoice, AnswerRevision, AnswerValue

    assert Answer.objects.filter(response=reply, version=2).count() == items
    assert AnswerChoice.objects.filter(answer__response=reply, option__key="partially").count() == items
    assert AnswerValue.objects.filter(answer__response=reply).count() == items
    assert AnswerRevision.objects.filter(answer__response=reply).count() == 2 * items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--section", type=int, default=100, help="items per section")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", action="store_true", help="also save item by item once (answer_save)")
    args = parser.parse_args()
    _setup_django()

    from django.db import connection

    from accounts.models import User
    from consultation.models import Item, Party

    consultation = build_consultation(items=args.items)
    party = Party.objects.order_by("iso2").first()
    user, _created = User.objects.get_or_create(email="bench.sections@example.org")
    items = list(Item.objects.filter(consultation=consultation).order_by("order"))
    print(
        f"{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}: "
        f"{len(items)} items, sections of {args.section}, {args.runs} runs, load average {os.getloadavg()[0]:.2f}"
    )

    results = {"first save (answers created)": [], "second save (answers updated)": []}
    for run in range(1, args.runs + 1):
        reply = _empty_reply(consultation, party)
        for version, label in enumerate(results):
            times, queries = _save_by_sections(
                reply=reply, items=items, user=user, section=args.section, version=version
            )
            results[label].append((times, queries))
            print(
                f"  run {run}, {label}: total {sum(times):.3f} s, per section median "
                f"{statistics.median(times) * 1000:.1f} ms (min {min(times) * 1000:.1f}, "
                f"max {max(times) * 1000:.1f}), queries per section {sorted(set(queries))}"
            )
        _check(reply, len(items))

    print(f"Median of {args.runs} runs (load average {os.getloadavg()[0]:.2f}):")
    for label, runs in results.items():
        totals = [sum(times) for times, _queries in runs]
        per_section = [statistics.median(times) for times, _queries in runs]
        queries = sorted({q for _times, qs in runs for q in qs})
        print(
            f"  {label}: total {statistics.median(totals):.3f} s (runs {', '.join(f'{t:.3f}' for t in totals)}), "
            f"per section {statistics.median(per_section) * 1000:.1f} ms, queries per section {queries}"
        )

    if args.baseline:
        reply = _empty_reply(consultation, party)
        took = _save_item_by_item(reply=reply, items=items, user=user)
        print(f"Baseline, item by item (answer_save, one transaction per item): total {took:.3f} s")
    _empty_reply(consultation, party)


if __name__ == "__main__":
    main()
