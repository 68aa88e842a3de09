import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts import access
from accounts.models import User
from consultation.models import AnswerValue, Response

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_seed_demo_creates_every_role_and_marked_replies(capsys):
    call_command("load_background_paper")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "password for all: Lanzarote-Demo-2024" in out
    secretariat = User.objects.get(email="secretariat@lanzarote.example")
    assert access.roles_of(secretariat).is_secretariat
    head_ie = User.objects.get(email="head.ie@lanzarote.example")
    assert access.roles_of(head_ie).is_head
    assert access.roles_of(head_ie).is_committee
    assert User.objects.get(email="admin@lanzarote.example").is_superuser
    statuses = dict(Response.objects.values_list("party__iso2", "status"))
    assert statuses == {
        "FR": "submitted",
        "AT": "submitted",
        "BE": "submitted",
        "IT": "submitted",
        "NL": "submitted",
        "PT": "submitted",
        "SE": "submitted",
        "IE": "ready",
        "DE": "draft",
    }
    texts = AnswerValue.objects.exclude(text="").values_list("text", flat=True)
    assert texts.count() > 0
    assert all(t.startswith(("[Demo data]", "[Données de démonstration]")) for t in texts)
    from consultation.models import ItemAssignment, ItemComment

    germany = ItemAssignment.objects.filter(response__party__iso2="DE")
    assert sorted(germany.values_list("item__code", "status")) == [
        ("GENAI-01", "drafting"),
        ("GENAI-02", "legal_check"),
        ("GENAI-03", "todo"),
        ("ROBOT-01", "drafting"),
    ]
    thread = ItemComment.objects.filter(response__party__iso2="DE", item__code="GENAI-02")
    assert (thread.count(), thread.filter(resolved_at__isnull=False).count()) == (3, 1)
    assert all(c.body.startswith("[Demo data]") for c in thread)
    assert "Teamwork: Germany's draft" in out


def test_seed_demo_twice_changes_nothing(capsys):
    call_command("load_background_paper")
    call_command("seed_demo")
    from consultation.models import ItemAssignment, ItemComment

    counts = (User.objects.count(), Response.objects.count(), AnswerValue.objects.count())
    teamwork = (ItemAssignment.objects.count(), ItemComment.objects.count())
    call_command("seed_demo")
    assert "FR kept" in capsys.readouterr().out
    assert (User.objects.count(), Response.objects.count(), AnswerValue.objects.count()) == counts
    assert (ItemAssignment.objects.count(), ItemComment.objects.count()) == teamwork


def test_seed_demo_without_the_consultation_says_what_to_run():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="run load_background_paper first"):
        call_command("seed_demo")


@pytest.mark.django_db(transaction=False)
def test_make_run_steps_work_on_a_fresh_sqlite_database(tmp_path):
    """`make run` = migrate, load the consultation, seed the demo, collect static files, serve."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "CELERY_BROKER_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    python = sys.executable
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["load_background_paper"],
        ["seed_demo"],
        ["collectstatic", "--noinput", "-v0", "--dry-run"],
        ["check"],
    ):
        done = subprocess.run(
            [python, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{command}: {done.stderr[-2000:]}"
    assert (
        "head.fr@lanzarote.example"
        in subprocess.run(
            [python, "manage.py", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        ).stdout
    )
    plan = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    for step in (
        "migrate",
        "load_background_paper",
        "seed_demo",
        "seed_monitoring_demo",
        "-m config.launcher --host 127.0.0.1 --port 8000",
    ):
        assert step in plan


@pytest.mark.parametrize(
    ("host", "port", "environ", "expected"),
    [
        ("127.0.0.1", 8010, {}, "http://127.0.0.1:8010"),
        ("::1", 8010, {}, "http://[::1]:8010"),
        ("0.0.0.0", 8010, {}, None),  # noqa: S104 (a value compared, not bound)
        ("127.0.0.1", 8010, {"PLATFORM_BASE_URL": "https://consult.example.org"}, "https://consult.example.org"),
    ],
)
def test_make_run_gives_its_children_the_address_it_serves_for_mail_links(host, port, environ, expected):
    """The worker's mails (receipts, reminders) have no request: under `make run PORT=8010` they linked to :8000."""
    from config.launcher import mail_base_url

    assert mail_base_url(host=host, port=port, environ=environ) == expected
