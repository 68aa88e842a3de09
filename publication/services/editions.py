"""Public editions of the comparative reports: the Secretariat requests one, publishes it, withdraws it.

A public edition is a report build with ``audience="public"`` (``reports.audience``): it counts only the Parties
whose reply is published, as published, without what was marked not for publication, and its classification is
public. Requesting one only queues the build (after commit, on the worker); publishing puts a built edition on the
public site; withdrawing a Party's publication withdraws every public edition of the consultation at once (each may
count that Party), so the Secretariat builds a fresh one. Every decision is audited.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record
from consultation.models import Consultation
from reports.models import Audience, ReportRun, ReportVersion
from reports.selectors.scopes import Scope
from reports.services.builds import ReportError, report_build_now, report_build_request, report_get_or_create

from ..errors import PublicationError
from ..models import Publication


@transaction.atomic
def public_edition_request(*, consultation: Consultation, scope: Scope, user: Any, request: Any = None) -> ReportRun:
    """Queue a public build of the ``scope`` report (built on the worker after commit; a build of it already
    queued or running is returned instead). Refused while no reply of the consultation is published."""
    if not Publication.objects.current().filter(consultation=consultation).exists():
        raise PublicationError(_("No reply is published yet: a public edition would have nothing to count."))
    report = report_get_or_create(consultation=consultation, scope=scope)
    try:
        return report_build_request(
            report=report, user=user, trigger="public", audience=Audience.PUBLIC, request=request
        )
    except ReportError as exc:
        raise PublicationError(str(exc)) from exc


def public_edition_build_now(*, consultation: Consultation, scope: Scope, user: Any = None) -> ReportRun:
    """Build a public edition in this process, without a worker (the demo's ``publish_public_report`` command, as
    ``build_reports`` does for the Committee's reports)."""
    if not Publication.objects.current().filter(consultation=consultation).exists():
        raise PublicationError(_("No reply is published yet: a public edition would have nothing to count."))
    return report_build_now(consultation=consultation, scope=scope, user=user, audience=Audience.PUBLIC)


def _locked_edition(*, consultation: Consultation, version_id: int) -> ReportVersion:
    version = (
        ReportVersion.objects.select_for_update(of=("self",))
        .select_related("report", "run")
        .defer("data")
        .filter(pk=version_id, report__consultation=consultation, audience=Audience.PUBLIC)
        .first()
    )
    if version is None:
        raise PublicationError(_("This public edition does not exist."))
    return version


def _audit(
    event_type: str, *, consultation: Consultation, version: ReportVersion, user: Any, request: Any, **extra: Any
) -> None:
    audit_record(
        event_type=event_type,
        actor=user,
        consultation=consultation,
        object_repr=str(version),
        request=request,
        extra={"version": version.number, "report": version.report_id, "scope": version.report.scope, **extra},
    )


@transaction.atomic
def public_edition_publish(
    *, consultation: Consultation, version_id: int, user: Any, request: Any = None
) -> ReportVersion:
    """Put a built public edition on the public site. Refused if it is withdrawn, already published, or if a
    Party's publication was withdrawn after its build started (the edition might still count that Party)."""
    version = _locked_edition(consultation=consultation, version_id=version_id)
    if version.withdrawn_at is not None:
        raise PublicationError(
            _("Public edition %(number)d was withdrawn; request a fresh one.") % {"number": version.number}
        )
    if version.published_at is not None:
        raise PublicationError(_("Public edition %(number)d is already published.") % {"number": version.number})
    built_from = version.run.started_at or version.created_at
    if Publication.objects.filter(consultation=consultation, withdrawn_at__gte=built_from).exists():
        raise PublicationError(
            _("A Party's reply was withdrawn after public edition %(number)d was built; request a fresh one.")
            % {"number": version.number}
        )
    version.published_at = timezone.now()
    version.published_by = user if getattr(user, "is_authenticated", False) else None
    version.save(update_fields=["published_at", "published_by"])
    _audit("report.public_edition_published", consultation=consultation, version=version, user=user, request=request)
    return version


@transaction.atomic
def public_edition_withdraw(
    *, consultation: Consultation, version_id: int, user: Any, request: Any = None
) -> ReportVersion:
    """Take one public edition off the public site (it stays in the Secretariat's list, marked withdrawn)."""
    version = _locked_edition(consultation=consultation, version_id=version_id)
    if version.withdrawn_at is not None:
        raise PublicationError(_("Public edition %(number)d is already withdrawn.") % {"number": version.number})
    version.withdrawn_at = timezone.now()
    version.save(update_fields=["withdrawn_at"])
    _audit("report.public_edition_withdrawn", consultation=consultation, version=version, user=user, request=request)
    return version


def public_editions_withdraw_all(
    *, consultation: Consultation, user: Any, request: Any = None, reason: str = ""
) -> list[int]:
    """Withdraw every public edition of the consultation not yet withdrawn (called, inside its transaction, when a
    Party's publication is withdrawn: each edition may count that Party). Returns their version numbers."""
    editions = list(
        ReportVersion.objects.select_for_update()
        .filter(report__consultation=consultation, audience=Audience.PUBLIC, withdrawn_at__isnull=True)
        .values_list("pk", "number", "report_id")
    )
    if not editions:
        return []
    now = timezone.now()
    ReportVersion.objects.filter(pk__in=[pk for pk, _n, _r in editions]).update(withdrawn_at=now)
    audit_record(
        event_type="report.public_editions_withdrawn",
        actor=user,
        consultation=consultation,
        object_repr=str(consultation),
        request=request,
        extra={"versions": sorted(number for _pk, number, _r in editions), "reason": reason},
    )
    return sorted(number for _pk, number, _r in editions)
