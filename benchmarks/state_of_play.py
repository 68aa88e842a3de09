"""Benchmark of the Secretariat's state of play (issue 5): server time and query count.

Generates synthetic consultations with bulk_create (48 Parties × 23 items and 200 Parties × 1,000
items, replies in every state: not started, draft, ready, submitted, reopened, with extensions),
then renders the state-of-play page through Django's test client as a signed-in Secretariat
member and prints the median server time of N renders served from the cache, of N renders with the
cache emptied first (the first request after a save, which counts the answers again), and the number
of queries of each.

Run on PostgreSQL (see docs/benchmarks.md for the figures):

    createdb -h 127.0.0.1 -U postgres bench_sop   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sop \\
        .venv/bin/python benchmarks/state_of_play.py --runs 15

The generator ``synthetic_consultation`` is also used by the tests (query count for 48/200 Parties).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import string
import sys
import time
from pathlib import Path
from typing import Any

THEME_COUNT = 6
STATE_CYCLE = (
    "none",
    "draft",
    "draft",
    "draft",
    "ready",
    "submitted",
    "submitted",
    "submitted",
    "submitted",
    "reopened",
)
OPTIONS = (("yes", "Yes", "Oui"), ("partially", "Partially", "Partiellement"), ("no", "No", "Non"))


def _synthetic_codes(existing: set[str]):
    for first in string.digits + string.ascii_uppercase:
        for second in string.digits + string.ascii_uppercase:
            code = first + second
            if code not in existing and (first.isdigit() or second.isdigit()):
                yield code


SYNTHETIC_PREFIX = "Synthetic Party "


def ensure_active_parties(count: int):
    """Exactly ``count`` active Parties: the real active ones, then synthetic ones (created as needed; synthetic
    Parties beyond ``count`` are deactivated, so a 48-Party measurement is not inflated by a 200-Party data set).
    Returns them by name."""
    from consultation.models import Party

    real = Party.objects.filter(is_active=True).exclude(name_en__startswith=SYNTHETIC_PREFIX).count()
    need = max(0, count - real)
    synthetic = list(Party.objects.filter(name_en__startswith=SYNTHETIC_PREFIX).order_by("iso2"))
    if len(synthetic) < need:
        codes = _synthetic_codes(set(Party.objects.values_list("iso2", flat=True)))
        Party.objects.bulk_create(
            [
                Party(
                    iso2=(code := next(codes)),
                    name_en=f"{SYNTHETIC_PREFIX}{code}",
                    name_fr=f"Partie synthétique {code}",
                    is_member_state=n % 5 != 0,
                    preferred_language="fr" if n % 4 == 0 else "en",
                )
                for n in range(need - len(synthetic))
            ]
        )
        synthetic = list(Party.objects.filter(name_en__startswith=SYNTHETIC_PREFIX).order_by("iso2"))
    keep = {p.pk for p in synthetic[:need]}
    Party.objects.filter(pk__in=keep).update(is_active=True)
    Party.objects.filter(name_en__startswith=SYNTHETIC_PREFIX).exclude(pk__in=keep).update(is_active=False)
    return list(Party.objects.filter(is_active=True).order_by("name_en"))[:count]


def synthetic_consultation(*, slug: str, parties: int, items: int, answered_parties: int | None = None, seed: int = 5):
    """An open consultation with ``items`` items (2 fields each) and replies of ``parties`` Parties in all states.

    ``answered_parties`` limits how many Parties get answer rows (the others keep their reply state only),
    to keep large test data sets quick to build.
    """
    from django.utils import timezone

    from consultation.models import (
        Answer,
        AnswerChoice,
        AnswerValue,
        Consultation,
        Field,
        Item,
        Option,
        Response,
        Theme,
    )

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    consultation = Consultation.objects.create(
        slug=slug,
        title_en=f"Synthetic consultation {slug}",
        title_fr=f"Consultation synthétique {slug}",
        status="open",
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=14),
    )
    themes = []
    for n in range(1, THEME_COUNT + 1):
        theme, _ = Theme.objects.get_or_create(
            code=f"synthetic-theme-{n}",
            defaults={"name_en": f"Synthetic theme {n}", "name_fr": f"Thème synthétique {n}", "order": 100 + n},
        )
        themes.append(theme)
    item_rows = Item.objects.bulk_create(
        [
            Item(
                consultation=consultation,
                code=f"SYN-{n:04d}",
                theme=themes[n % THEME_COUNT],
                order=n,
                text_en=f"Does the legislation cover measure {n}?",
                text_fr=f"La législation couvre-t-elle la mesure {n} ?",
            )
            for n in range(1, items + 1)
        ],
        batch_size=2000,
    )
    fields = []
    for item in item_rows:
        fields.append(
            Field(
                item=item,
                key="position",
                type="single_choice",
                required=True,
                order=1,
                label_en="Position",
                label_fr="Position",
            )
        )
        fields.append(
            Field(item=item, key="explanation", type="text", order=2, label_en="Explanation", label_fr="Explication")
        )
    Field.objects.bulk_create(fields, batch_size=2000)
    positions = {f.item_id: f for f in fields if f.key == "position"}
    explanations = {f.item_id: f for f in fields if f.key == "explanation"}
    options = [
        Option(field=field, key=key, label_en=en, label_fr=fr, order=order)
        for field in positions.values()
        for order, (key, en, fr) in enumerate(OPTIONS, start=1)
    ]
    Option.objects.bulk_create(options, batch_size=2000)
    option_ids = {(o.field_id, o.key): o.pk for o in options}

    party_rows = ensure_active_parties(parties)
    responses = []
    for index, party in enumerate(party_rows):
        state = STATE_CYCLE[index % len(STATE_CYCLE)]
        if state == "none":
            continue
        responses.append(
            Response(
                consultation=consultation,
                party=party,
                status=state,
                last_activity_at=now - datetime.timedelta(hours=index),
                ready_at=now if state == "ready" else None,
                submitted_at=now if state in ("submitted", "reopened") else None,
                reopened_at=now if state == "reopened" else None,
                reopen_reason="Please complete the statistics." if state == "reopened" else "",
                extended_until=today + datetime.timedelta(days=30) if index % 7 == 3 else None,
            )
        )
    Response.objects.bulk_create(responses, batch_size=2000)
    limit = len(responses) if answered_parties is None else answered_parties
    answers, choice_specs, text_specs = [], [], []
    for response in responses[:limit]:
        share = {"draft": 0.4, "ready": 0.9, "submitted": 1.0, "reopened": 1.0}[response.status]
        for item in item_rows:
            if share < 1.0 and rng.random() > share:
                continue
            incomplete = response.status == "draft" and rng.random() < 0.2
            data = {} if incomplete else {"position": rng.choice(OPTIONS)[0]}
            if incomplete or rng.random() < 0.5:
                data["explanation"] = f"Criminal Code, art. {rng.randint(1, 400)}."
            answers.append(
                Answer(
                    response=response,
                    item=item,
                    data=data,
                    version=1,
                    is_answered=True,
                    is_complete=not incomplete,
                    updated_at=now,
                )
            )
    Answer.objects.bulk_create(answers, batch_size=5000)
    for answer in answers:
        if "position" in answer.data:
            field_id = positions[answer.item_id].pk
            choice_specs.append(
                AnswerChoice(
                    answer=answer, field_id=field_id, option_id=option_ids[(field_id, answer.data["position"])]
                )
            )
        if "explanation" in answer.data:
            text_specs.append(
                AnswerValue(answer=answer, field_id=explanations[answer.item_id].pk, text=answer.data["explanation"])
            )
    AnswerChoice.objects.bulk_create(choice_specs, batch_size=5000)
    AnswerValue.objects.bulk_create(text_specs, batch_size=5000)
    return consultation


def _setup_django() -> None:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def _secretariat_client():
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.test import Client

    from accounts.models import GlobalRole, RoleAssignment, User

    user, created = User.objects.get_or_create(email="bench.secretariat@coe.example")
    if created:
        RoleAssignment.objects.create(user=user, role=GlobalRole.SECRETARIAT)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user)
    return client


def _measure(client, url: str, runs: int) -> tuple[float, float, float, int, int, int]:
    """Median and best server time of ``runs`` renders served from the cache (no query capture while timing), the
    median of ``runs`` renders with the cache emptied first (what the first request after a save costs), then the
    query count of a cached and of an uncached render and the page size.

    The best time is reported too because the machine is shared: other processes inflate the median."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    times, counted = [], []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    for _ in range(runs):
        cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        counted.append((time.perf_counter() - start) * 1000)
    cache.clear()
    with CaptureQueriesContext(connection) as uncached:
        client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return (
        statistics.median(times),
        min(times),
        statistics.median(counted),
        len(ctx.captured_queries),
        len(uncached.captured_queries),
        len(response.content),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--sizes", default="48x23,200x1000", help="Comma-separated PARTIESxITEMS data sets.")
    args = parser.parse_args()
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    print(f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')}")
    call_command("migrate", verbosity=0)
    from consultation.models import Answer, Consultation

    client = _secretariat_client()
    print(
        f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; runs: {args.runs}"
    )
    print(
        f"{'data set':<12} {'answers':>8} {'view':<14} {'median ms':>10} {'min ms':>8} {'counted ms':>11} "
        f"{'queries':>8} {'uncached':>9} {'KiB':>6}"
    )

    def line(size: str, answers: Any, label: str, url: str) -> None:
        median, best, counted, queries, uncached, content = _measure(client, url, args.runs)
        print(
            f"{size:<12} {answers:>8} {label:<14} {median:>10.1f} {best:>8.1f} {counted:>11.1f} {queries:>8} "
            f"{uncached:>9} {content // 1024:>6}"
        )

    line("baseline", "", "dashboard", "/secretariat/")
    for size in args.sizes.split(","):
        parties, items = (int(n) for n in size.split("x"))
        slug = f"bench-{parties}x{items}"
        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            started = time.perf_counter()
            consultation = synthetic_consultation(slug=slug, parties=parties, items=items)
            print(f"generated {slug} in {time.perf_counter() - started:.1f} s")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        ensure_active_parties(parties)
        answers = Answer.objects.filter(response__consultation=consultation).count()
        for label, query in (
            ("all themes", ""),
            ("one theme", "?theme=synthetic-theme-1"),
            ("overdue", "?state=overdue"),
        ):
            line(size, answers, label, f"/secretariat/{slug}/{query}")


if __name__ == "__main__":
    main()
