"""Publishing is safe: the Secretariat publishes the version it is looking at, sees whether it is current, and a
stale version (superseded, or built before the replies changed) is refused until confirmed in a second step;
both steps are audited. The index row (build status, current version, publish button) is one fragment that is
re-rendered as a whole, so a finished build never sits beside a publish button for the previous version."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from consultation.models import Consultation
from consultation.services.responses import response_reopen
from reports.models import Report, ReportRun, ReportVersion
from reports.selectors.freshness import report_version_freshness, version_freshness
from reports.selectors.scopes import scope_parse
from reports.services.builds import (
    ReportError,
    ReportVersionStale,
    report_build_now,
    report_run_execute,
    report_version_publish,
)
from tests import factories as f
from tests.access.helpers import login_with_mfa
from tests.reports.conftest import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client, db):
    user = f.secretariat_user(email="secretariat.publish@coe.example")
    login_with_mfa(client, user)
    return user


def built(dataset, text="theme:robotics"):
    scope = scope_parse(consultation=dataset.consultation, text=text)
    return report_build_now(consultation=dataset.consultation, scope=scope, formats=["xlsx"]).version


def data_version(dataset) -> int:
    return Consultation.objects.values_list("data_version", flat=True).get(pk=dataset.consultation.pk)


def publish_url(version) -> str:
    return reverse("reports:publish", kwargs={"version_id": version.pk})


def audits(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("pk"))


def reopen_belgium(dataset, secretariat) -> None:
    response_reopen(response=dataset.responses["BE"], user=secretariat, reason="A typo in GENAI-02.")


def another_reply(dataset, iso2: str) -> None:
    """A new Party submits (answering as Germany did): the figures change, so the next build is a new version
    (an identical rebuild makes none)."""
    reply(dataset.consultation, iso2, dataset.answers_of("DE"))


def test_publishing_the_current_fresh_version_needs_no_confirmation(client, dataset, secretariat):
    version = built(dataset)
    response = client.post(publish_url(version))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:version", kwargs={"version_id": version.pk})
    version.refresh_from_db()
    assert version.published_by == secretariat
    assert audits("report.publish_refused_stale") == []
    [published] = audits("report.published")
    assert (published.actor, published.extra) == (secretariat, {"version": 1, "stale": False})


def test_a_superseded_version_is_refused_then_published_once_confirmed(client, dataset, secretariat):
    first = built(dataset)
    before = data_version(dataset)
    another_reply(dataset, "PT")
    second = built(dataset)
    now = data_version(dataset)
    assert (second.number, now) == (2, before + 1)

    refused = client.post(publish_url(first))
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Version 1 was not published" in page
    assert "Version 1 is superseded by version 2: the newer version was built since." in page
    assert (
        f"It was built from data version {before}; the replies changed since (a reply was submitted or reopened; "
        f"data version {now} now)." in page
    )
    assert "Publish version 1 anyway" in page
    assert f'<input type="hidden" name="confirm_stale" value="v2-d{now}">' in page
    assert f'action="{publish_url(first)}"' in page
    assert reverse("reports:version", kwargs={"version_id": second.pk}) in page
    first.refresh_from_db()
    assert first.published_at is None
    [refusal] = audits("report.publish_refused_stale")
    assert refusal.actor == secretariat
    assert refusal.object_repr == str(first)
    assert refusal.extra == {
        "version": 1,
        "stale": True,
        "reason": "superseded,data_changed",
        "superseded_by": 2,
        "data_version": before,
        "consultation_data_version": now,
    }
    assert audits("report.published") == []

    confirmed = client.post(publish_url(first), {"confirm_stale": f"v2-d{now}"})
    assert confirmed.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.published_by, second.published_at) == (secretariat, None)
    [published] = audits("report.published")
    assert published.extra == {
        "version": 1,
        "stale": True,
        "reason": "superseded,data_changed",
        "superseded_by": 2,
        "data_version": before,
        "consultation_data_version": now,
        "confirmed": True,
    }
    assert len(audits("report.publish_refused_stale")) == 1


def test_a_version_built_before_a_reply_was_reopened_is_refused_then_confirmed(client, dataset, secretariat):
    version = built(dataset)
    before = data_version(dataset)
    reopen_belgium(dataset, secretariat)
    assert data_version(dataset) == before + 1

    refused = client.post(publish_url(version))
    assert refused.status_code == 409
    page = refused.content.decode()
    assert (
        f"It was built from data version {before}; the replies changed since (a reply was submitted or reopened; "
        f"data version {before + 1} now)." in page
    )
    assert "superseded" not in page
    version.refresh_from_db()
    assert version.published_at is None
    [refusal] = audits("report.publish_refused_stale")
    assert (refusal.extra["reason"], refusal.extra["data_version"], refusal.extra["consultation_data_version"]) == (
        "data_changed",
        before,
        before + 1,
    )

    client.post(publish_url(version), {"confirm_stale": f"v1-d{before + 1}"})
    version.refresh_from_db()
    assert version.published_by == secretariat
    [published] = audits("report.published")
    assert (published.extra["stale"], published.extra["reason"], published.extra["confirmed"]) == (
        True,
        "data_changed",
        True,
    )


def test_a_confirmation_of_an_older_state_is_refused_again(client, dataset, secretariat):
    """The person confirmed "superseded by version 2"; version 3 was built meanwhile and the replies changed:
    they are told again, about what is true now."""
    first = built(dataset)
    another_reply(dataset, "PT")
    built(dataset)
    seen = f"v2-d{data_version(dataset)}"
    another_reply(dataset, "SE")
    assert built(dataset).number == 3
    reopen_belgium(dataset, secretariat)

    for confirmation in (seen, "yes", ""):
        response = client.post(publish_url(first), {"confirm_stale": confirmation})
        assert response.status_code == 409
    page = response.content.decode()
    assert "Version 1 is superseded by version 3" in page
    assert f'value="v3-d{data_version(dataset)}"' in page
    first.refresh_from_db()
    assert first.published_at is None
    refusals = audits("report.publish_refused_stale")
    assert [r.extra["reason"] for r in refusals] == ["superseded,data_changed"] * 3
    assert [r.extra.get("confirmation") for r in refusals] == [seen, "yes", None]


def test_the_service_refuses_a_stale_version_without_the_matching_token(dataset, secretariat):
    first = built(dataset)
    another_reply(dataset, "PT")
    built(dataset)
    message = r"^Version 1 is superseded by version 2\. It was built from data version \d+; the replies changed since"
    with pytest.raises(ReportVersionStale, match=message) as refused:
        report_version_publish(version=first, user=secretariat)
    assert refused.value.freshness.superseded_by == 2
    assert ReportVersion.objects.filter(published_at__isnull=False).count() == 0
    published = report_version_publish(version=first, user=secretariat, confirmed=refused.value.freshness.token)
    assert published.published_at is not None


def test_publishing_an_already_published_version_stays_a_clear_error(client, dataset, secretariat):
    version = built(dataset)
    report_version_publish(version=version, user=secretariat)
    reopen_belgium(dataset, secretariat)  # stale now, but the first problem is that it is published already
    response = client.post(publish_url(version), follow=True)
    assert response.status_code == 200
    assert "Version 1 is already published." in response.content.decode()
    assert audits("report.publish_refused_stale") == []
    assert len(audits("report.published")) == 1
    with pytest.raises(ReportError, match=r"^Version 1 is already published\.$"):
        report_version_publish(version=version, user=secretariat, confirmed="v1-d99")


def test_the_version_page_says_current_or_superseded_and_whether_the_replies_changed(client, dataset, secretariat):
    first = built(dataset)
    before = data_version(dataset)

    def bar(version) -> str:
        page = client.get(reverse("reports:version", kwargs={"version_id": version.pk})).content.decode()
        return " ".join(page.split('class="report-version__bar no-print"')[1].split("</p>")[0].split())

    assert f"Current version. Built from data version {before}, the latest." in bar(first)
    assert "badge--stale" not in bar(first)
    another_reply(dataset, "PT")
    assert f"Current version. Built from data version {before}; the replies changed since." in bar(first)
    assert "badge--stale" in bar(first)
    second = built(dataset)
    assert f"Superseded by version 2. Built from data version {before}; the replies changed since." in bar(first)
    assert f"Current version. Built from data version {before + 1}, the latest." in bar(second)
    assert "badge--stale" not in bar(second)
    reopen_belgium(dataset, secretariat)
    assert f"Current version. Built from data version {before + 1}; the replies changed since." in bar(second)
    page = client.get(reverse("reports:version", kwargs={"version_id": second.pk})).content.decode()
    publish_form = re.search(rf'<form method="post" action="{re.escape(publish_url(second))}"[^>]*>', page)
    assert publish_form is not None
    assert "data-confirm" not in publish_form.group(0)  # the server asks, with the reason


def test_the_version_page_query_count_does_not_grow_with_versions(
    client, dataset, secretariat, django_assert_max_num_queries
):
    first = built(dataset)
    url = reverse("reports:version", kwargs={"version_id": first.pk})
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for iso2 in ("PT", "SE", "IE"):
        another_reply(dataset, iso2)
        built(dataset)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "Superseded by version 4." in page


def test_the_row_fragment_re_renders_the_whole_row_when_the_build_finishes(
    client, dataset, secretariat, django_assert_max_num_queries
):
    first = built(dataset)
    report = first.report
    running = ReportRun.objects.create(report=report, status="running", progress=45, attempts=1)
    url = reverse("reports:report_row", kwargs={"report_id": report.pk})

    with django_assert_max_num_queries(30) as few:
        polling = client.get(url).content.decode()
    assert polling.startswith(f'<tr id="report-{report.pk}" hx-get="{url}" hx-trigger="every 1s" hx-swap="outerHTML">')
    assert '<progress max="100" value="45"' in polling
    assert "45 % built" in polling
    assert reverse("reports:run_status", kwargs={"run_id": running.pk}) not in polling  # the row polls, not the cell
    assert f'action="{publish_url(first)}"' in polling
    assert "Publish version 1</button>" in polling

    # A new reply changes the figures; the worker finishes the build: version 2 becomes current.
    another_reply(dataset, "PT")
    ReportRun.objects.filter(pk=running.pk).update(status="queued")
    report_run_execute(run_id=running.pk)
    second = Report.objects.get(pk=report.pk).current_version
    assert second.number == 2

    with django_assert_max_num_queries(len(few.captured_queries)):
        done = client.get(url).content.decode()
    assert "hx-trigger" not in done
    assert "100 % built" in done
    assert "Open version 2" in done
    assert reverse("reports:version", kwargs={"version_id": second.pk}) in done
    assert f'action="{publish_url(second)}"' in done
    assert "Publish version 2</button>" in done
    assert publish_url(first) not in done
    assert "Version 1" not in done


def test_the_index_row_says_current_and_stale_with_the_data_version(client, dataset, secretariat):
    version = built(dataset)
    now = data_version(dataset)
    page = client.get(reverse("reports:index")).content.decode()
    row = " ".join(page.split(f'<tr id="report-{version.report_id}"')[1].split("</tr>")[0].split())
    assert f"Current version. Built from data version {now}, the latest." in row
    assert "badge--stale" not in row
    assert 'data-confirm="Publish version 1 to the Committee?"' in row
    reopen_belgium(dataset, secretariat)
    page = client.get(reverse("reports:index")).content.decode()
    row = " ".join(page.split(f'<tr id="report-{version.report_id}"')[1].split("</tr>")[0].split())
    assert "Stale</span>" in row
    assert f"Current version. Built from data version {now}; the replies changed since." in row
    assert "data-confirm" not in row  # publishing asks with the reason, on the server's page
    assert "Publish version 1</button>" in row


def test_the_row_of_another_report_is_404_and_the_rule_follows_a_confirming_rebuild(client, secretariat, dataset):
    assert client.get(reverse("reports:report_row", kwargs={"report_id": 999_999})).status_code == 404
    version = built(dataset)
    report = version.report
    # A rebuild that found identical content may confirm the current version against newer data by raising the
    # report's built_data_version without a new version: the current version is then fresh.
    Consultation.objects.filter(pk=dataset.consultation.pk).update(data_version=version.data_version + 2)
    Report.objects.filter(pk=report.pk).update(built_data_version=version.data_version + 2)
    version = ReportVersion.objects.select_related("report__consultation").get(pk=version.pk)
    freshness = report_version_freshness(version=version)
    assert (freshness.stale, freshness.data_version) == (False, version.data_version + 2)
    # An older version does not profit from the report's confirmation.
    older = version_freshness(
        version=version,
        newest_number=None,
        current_version_id=None,
        built_data_version=version.data_version + 2,
        consultation_data_version=version.data_version + 2,
    )
    assert (older.stale, older.reasons, older.token) == (True, ["data_changed"], f"v1-d{version.data_version + 2}")


def test_only_the_secretariat_may_confirm_a_stale_publication(client, dataset):
    first = built(dataset)
    another_reply(dataset, "PT")
    built(dataset)
    token = report_version_freshness(version=ReportVersion.objects.get(pk=first.pk)).token
    for user in (f.committee_user(email="committee.publish@coe.example"), f.delegate(f.party("FR"), role="head")):
        login_with_mfa(client, user)
        assert client.post(publish_url(first), {"confirm_stale": token}).status_code == 403
    first.refresh_from_db()
    assert first.published_at is None
    assert audits("report.published") == audits("report.publish_refused_stale") == []


def test_the_warning_speaks_french(client, dataset, secretariat):
    secretariat.preferred_language = "fr"
    secretariat.save(update_fields=["preferred_language"])
    first = built(dataset)
    another_reply(dataset, "PT")
    built(dataset)
    page = client.post(publish_url(first)).content.decode()
    assert "La version 1 n'a pas été publiée" in page
    assert "La version 1 est remplacée par la version 2 : la version plus récente a été produite depuis." in page
    assert "Publier quand même la version 1" in page
    row = client.get(reverse("reports:report_row", kwargs={"report_id": first.report_id})).content.decode()
    assert "Publier la version 2</button>" in row
    assert "Version actuelle." in row


def test_a_stale_row_follows_the_automatic_rebuild_every_five_seconds(client, dataset, secretariat):
    """A page opened before the debounced rebuild queued its run still sees it arrive (no reload needed)."""
    first = built(dataset)
    url = reverse("reports:report_row", kwargs={"report_id": first.report_id})
    assert "hx-trigger" not in client.get(url).content.decode()  # fresh, nothing under way: no polling

    another_reply(dataset, "PT")  # the submission makes the report stale; its rebuild comes after the debounce
    stale = client.get(url).content.decode()
    assert stale.startswith(f'<tr id="report-{first.report_id}" hx-get="{url}" hx-trigger="every 5s"')
    assert "Stale" in stale
