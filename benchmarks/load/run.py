"""Load benchmark: gunicorn on PostgreSQL, wrk on loopback, synthetic data 48 Parties × 1,000 items × 5 rounds.

Measures, beside the two ceilings (a minimal Django view and an authenticated view doing one query, served by
the same gunicorn with the platform's whole middleware stack):
- autosave of one answer (``POST /consultations/<slug>/items/<code>/`` as htmx does it), p95 at 16 connections;
- the reply page of one theme section (a full page of 100 items: the most the platform shows at once), p95 at 1
  and 16 connections, and its query count for a full page (100 items) and a short one (the theme's last page);
- the Secretariat's state of play, requests per second at 16 connections;
- saving a whole 1,000-item reply item by item (1,000 autosaves), on one connection and on 16;
- saving the same reply by sections: one POST of each reply page's section form (``POST
  /consultations/<slug>/section/?theme=..&page=..``, as the browser sends "Save all answers on this page"), on
  one connection, with and without the GET of the page each POST redirects to.

Usage (see docs/benchmarks.md, "Load and speed"):

    createdb -h 127.0.0.1 -U postgres bench_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load .venv/bin/python benchmarks/load/run.py

Needs ``wrk`` (Debian: ``apt-get install -y wrk``). The data are generated on the first run (a few minutes) and
reused; the autosave round is emptied before each autosave measurement.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.load.settings"

ROUNDS = 5
PARTIES = 48
ITEMS = 1000
AUTOSAVE_SLUG = "bench-load-autosave"
DRAIN_SECONDS = 5
CSRF = "benchmarkcsrfsecret0123456789abc"  # 32 characters: accepted unmasked in the X-CSRFToken header

LUA_DONE = """
done = function(summary, latency, requests)
  io.write(string.format('RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, '
    .. '"p99_ms": %.2f, "max_ms": %.2f, "bad_status": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def setup_django():
    import django

    django.setup()


def prepare(log) -> None:
    """Five rounds of 48 × 1,000 (replies in every state), plus an empty open round for autosaves."""
    from benchmarks.state_of_play import synthetic_consultation
    from consultation.models import Consultation

    for number in range(1, ROUNDS + 1):
        slug = f"bench-load-{number}"
        if not Consultation.objects.filter(slug=slug).exists():
            start = time.monotonic()
            synthetic_consultation(slug=slug, parties=PARTIES, items=ITEMS, seed=number)
            log(f"generated {slug} in {time.monotonic() - start:.0f} s")
    if not Consultation.objects.filter(slug=AUTOSAVE_SLUG).exists():
        synthetic_consultation(slug=AUTOSAVE_SLUG, parties=PARTIES, items=ITEMS, answered_parties=0, seed=99)
        log(f"generated {AUTOSAVE_SLUG}")


def people() -> dict:
    """One delegate per Party (a member: no second factor needed), a Secretariat member with TOTP; their
    sessions, made the way ``force_login`` makes them."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import DelegationMembership, GlobalRole, RoleAssignment, User
    from consultation.models import Consultation, Party, Response
    from tests.access.helpers import enrol_totp

    def session(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    autosave = Consultation.objects.get(slug=AUTOSAVE_SLUG)
    locked = set(Response.objects.filter(consultation=autosave, status="submitted").values_list("party_id", flat=True))
    delegates = {}
    for party in Party.objects.filter(is_active=True).order_by("name_en")[:PARTIES]:
        user, _ = User.objects.get_or_create(email=f"bench.{party.iso2.lower()}@delegation.example")
        DelegationMembership.objects.get_or_create(user=user, defaults={"party": party, "role": "member"})
        delegates[party.iso2] = {"session": session(user), "can_save": party.pk not in locked}
    secretariat, _ = User.objects.get_or_create(email="bench.secretariat@coe.example")
    RoleAssignment.objects.get_or_create(user=secretariat, role=GlobalRole.SECRETARIAT)
    enrol_totp(secretariat)
    return {"delegates": delegates, "secretariat": session(secretariat)}


def autosave_reset() -> None:
    from consultation.models import Answer, Consultation, Response

    autosave = Consultation.objects.get(slug=AUTOSAVE_SLUG)
    Answer.objects.filter(response__consultation=autosave).delete()
    Response.objects.filter(consultation=autosave, last_activity_at__isnull=False, status="draft").update(
        last_activity_at=None
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.load.settings", "CONN_MAX_AGE": "60"}
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def wrk(port: int, lua: str, *, connections: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua + LUA_DONE)
    command = [
        "wrk",
        f"-t{min(connections, 2)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
        f"http://127.0.0.1:{port}/",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def lua_get(path: str, session: str = "") -> str:
    cookie = f"sessionid={session}; csrftoken={CSRF}" if session else ""
    return f"""
wrk.method = "GET"
wrk.path = "{path}"
{"wrk.headers['Cookie'] = '" + cookie + "'" if cookie else ""}
"""


def lua_autosave(codes: list[str], sessions: list[str]) -> str:
    """Every request saves a different (Party, item) answer for the first time: version 0 is always current."""
    codes_lua = ",".join(f'"{code}"' for code in codes)
    sessions_lua = ",".join(f'"{session}"' for session in sessions)
    return f"""
local codes = {{{codes_lua}}}
local sessions = {{{sessions_lua}}}
local counter = 0
local thread_count = 0
offset = 0  -- a global: setup() gives each thread its own, so the two threads never save the same answer
setup = function(thread)
  thread:set("offset", thread_count)
  thread_count = thread_count + 1
end
request = function()
  local n = counter * 2 + offset
  counter = counter + 1
  local session = sessions[(n % #sessions) + 1]
  local code = codes[(math.floor(n / #sessions) % #codes) + 1]
  local body = "base_version=0&_language=en&f-position=yes&f-explanation=Criminal+Code%2C+art.+" .. n
  local headers = {{}}
  headers["Cookie"] = "sessionid=" .. session .. "; csrftoken={CSRF}"
  headers["X-CSRFToken"] = "{CSRF}"
  headers["HX-Request"] = "true"
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", "/consultations/{AUTOSAVE_SLUG}/items/" .. code .. "/", headers, body)
end
"""


def save_whole_reply(port: int, session: str, codes: list[str], *, connections: int) -> tuple[float, dict]:
    """Save all 1,000 answers of one reply through the autosave endpoint; total seconds and status counts."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(codes)

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                code = queue.pop()
            body = urlencode({"base_version": 0, "_language": "en", "f-position": "no", "f-explanation": "Act 12"})
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "POST",
                f"/consultations/{AUTOSAVE_SLUG}/items/{code}/",
                body=body,
                headers={
                    "Cookie": f"sessionid={session}; csrftoken={CSRF}",
                    "X-CSRFToken": CSRF,
                    "HX-Request": "true",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            status = connection.getresponse().status
            connection.close()
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=work) for _ in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - start, statuses


def section_pages(slug: str) -> list[tuple[str, int, list[int]]]:
    """Every reply page of the consultation, ``(theme code, page, item pks)``, cut exactly as the reply page cuts
    them (``consultation.selectors.workspace.section_pages``)."""
    from consultation.models import Consultation, Theme
    from consultation.selectors.workspace import item_post_costs, section_pages

    consultation = Consultation.objects.get(slug=slug)
    costs = item_post_costs(consultation_id=consultation.pk)
    themes = Theme.objects.filter(pk__in={theme for _pk, theme, _cost in costs}).order_by("order", "code")
    pages = []
    for theme in themes:
        cut = section_pages([(pk, cost) for pk, theme_id, cost in costs if theme_id == theme.pk])
        pages.extend((theme.code, number, ids) for number, ids in enumerate(cut, start=1))
    return pages


def section_body(item_ids: list[int]) -> str:
    """What the page's section form posts for these items (never answered: version 0), with every answer set."""
    pairs = [("csrfmiddlewaretoken", CSRF)]
    for pk in item_ids:
        pairs += [
            (f"i{pk}-base_version", "0"),
            (f"i{pk}-_language", "en"),
            (f"i{pk}-f-position", "no"),
            (f"i{pk}-f-explanation", "Act 12"),
        ]
    return urlencode(pairs)


def save_reply_by_sections(
    port: int, session: str, pages: list[tuple[str, int, list[int]]], *, follow: bool
) -> tuple[float, dict]:
    """POST every page's section form, one after the other on one connection (and, with ``follow``, GET the page
    each POST redirects to, as the browser does); total seconds and status counts. Bodies are built beforehand."""
    bodies = [
        (f"/consultations/{AUTOSAVE_SLUG}/section/?theme={theme}&page={number}", section_body(ids))
        for theme, number, ids in pages
    ]
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={CSRF}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": "http://127.0.0.1/",
    }
    statuses: dict[int, int] = {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.monotonic()
    for path, body in bodies:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if follow and response.status == 302:
            connection.request("GET", response.getheader("Location"), headers={"Cookie": headers["Cookie"]})
            page = connection.getresponse()
            page.read()
            statuses[page.status] = statuses.get(page.status, 0) + 1
    seconds = time.monotonic() - start
    connection.close()
    return seconds, statuses


def reply_page_queries(session_user_email: str, slug: str, theme: str) -> dict[int, int]:
    """Queries of the reply page for a full page (100 items) and the short last page of the same section."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=session_user_email))
    counts = {}
    for page in (1, 2):
        client.get(f"/consultations/{slug}/?theme={theme}&page={page}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/consultations/{slug}/?theme={theme}&page={page}")
        assert response.status_code == 200, response.status_code
        items = response.content.decode().count('<article class="item"')
        counts[items] = len(queries)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=15, help="duration of each wrk run")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers ((2 x cores) + 1)")
    parser.add_argument("--only", default="", help="comma-separated: ceilings,page,state,autosave,whole,sections")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install -y wrk)")

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    setup_django()
    from consultation.models import Answer, Consultation, Item, Response

    prepare(log)
    actors = people()
    delegates = actors["delegates"]
    savers = [d["session"] for d in delegates.values() if d["can_save"]]
    codes = list(Item.objects.filter(consultation__slug=AUTOSAVE_SLUG).order_by("order").values_list("code", flat=True))
    page_round = Consultation.objects.get(slug=f"bench-load-{ROUNDS}")
    reader_iso2 = next(
        iso2
        for iso2 in delegates
        if Response.objects.filter(consultation=page_round, party__iso2=iso2, status="draft").exists()
    )
    reader = delegates[reader_iso2]["session"]
    page_path = f"/consultations/{page_round.slug}/?theme=synthetic-theme-1&page=1"
    state_path = f"/secretariat/{page_round.slug}/"

    port = free_port()
    server = start_gunicorn(port, args.workers)
    results: list[tuple[str, int, dict]] = []
    try:
        for path, session in ((page_path, reader), (state_path, actors["secretariat"]), ("/bench/plain/", "")):
            wrk(port, lua_get(path, session), connections=4, seconds=3)  # warm every worker
        scenarios = [
            ("Ceiling: minimal Django view", 16, lua_get("/bench/plain/")),
            ("Ceiling: authenticated view, one query", 16, lua_get("/bench/auth-db/", reader)),
            ("Reply page, one section (100 items shown)", 1, lua_get(page_path, reader)),
            ("Reply page, one section (100 items shown)", 16, lua_get(page_path, reader)),
            ("State of play (Secretariat)", 16, lua_get(state_path, actors["secretariat"])),
        ]
        only = set(filter(None, args.only.split(",")))
        kinds = ["ceilings", "ceilings", "page", "page", "state"]
        scenarios = [s for s, kind in zip(scenarios, kinds, strict=True) if not only or kind in only]
        for label, connections, lua in scenarios:
            log(f"{label}, {connections} connections")
            results.append((label, connections, wrk(port, lua, connections=connections, seconds=args.seconds)))
            # When wrk stops, gunicorn still serves the requests its connections left in the listen queue (16 reply
            # pages are about a second of work): let them drain, or the next measure starts behind them.
            time.sleep(DRAIN_SECONDS)
        autosave_reset()
        if not only or "autosave" in only:
            log("Autosave of one answer, 16 connections")
            results.append(
                (
                    "Autosave of one answer",
                    16,
                    wrk(port, lua_autosave(codes, savers), connections=16, seconds=args.seconds),
                )
            )
            time.sleep(2)  # let requests still in flight finish before the reset
        autosave_reset()
        whole = []
        for connections in (1, 16) if not only or "whole" in only else ():
            seconds, statuses = save_whole_reply(
                port, savers[connections % len(savers)], codes, connections=connections
            )
            whole.append((connections, seconds, statuses))
            log(f"whole reply, {connections} connections: {seconds:.2f} s {statuses}")
        autosave_reset()
        by_sections = []
        if not only or "sections" in only:
            pages = section_pages(AUTOSAVE_SLUG)
            assert sum(len(ids) for _theme, _number, ids in pages) == ITEMS
            save_reply_by_sections(port, savers[4 % len(savers)], pages, follow=True)  # warm every worker's path
            autosave_reset()
            for follow in (False, True):
                seconds, statuses = save_reply_by_sections(port, savers[3 % len(savers)], pages, follow=follow)
                saved = Answer.objects.filter(response__consultation__slug=AUTOSAVE_SLUG).count()
                by_sections.append((len(pages), follow, seconds, statuses, saved))
                log(f"whole reply by sections ({len(pages)} POSTs, follow={follow}): {seconds:.2f} s {statuses}")
                autosave_reset()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
    queries = reply_page_queries(
        f"bench.{reader_iso2.lower()}@delegation.example", page_round.slug, "synthetic-theme-1"
    )

    print()
    print("| Measure | Connections | req/s | p50 ms | p95 ms | p99 ms | non-2xx/3xx |")
    print("|---|---|---|---|---|---|---|")
    for label, connections, r in results:
        print(
            f"| {label} | {connections} | {r['rps']:,.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['bad_status']} of {r['requests']:,} |"
        )
    for connections, seconds, statuses in whole:
        print(
            f"| Whole 1,000-item reply saved item by item | {connections} | {ITEMS / seconds:,.0f} | "
            f"total {seconds:.2f} s | | | statuses {statuses} |"
        )
    for posts, follow, seconds, statuses, saved in by_sections:
        then = ", each followed by the GET of its page" if follow else ""
        print(
            f"| Whole 1,000-item reply saved by sections ({posts} POSTs of the section form{then}) | 1 | "
            f"{posts / seconds:,.1f} | total {seconds:.2f} s | | | statuses {statuses}, {saved:,} answers saved |"
        )
    print()
    print(
        "Reply page queries by items shown: " + ", ".join(f"{items} items: {n} queries" for items, n in queries.items())
    )


if __name__ == "__main__":
    main()
