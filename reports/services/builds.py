"""Building a report: request, execute (idempotent, safe to redeliver), and publish.

A build is a ``ReportRun``. ``report_run_execute`` may run twice for the same run (``acks_late``
redelivery after a worker died): it locks the run, returns at once if the run is finished, counts
its attempts (a build that keeps dying ends as failed, not pending forever), renders everything
in memory, stores the files under names keyed by the run, and only then, in one transaction,
creates the version, makes it current and marks the run done. An exception anywhere before that
leaves the previous version current.

A public build (``audience="public"``, see ``reports.audience``) reads only what is published and makes a public
edition: its classification is public whatever the series says, it never becomes the report's current version (the
Committee's documents and their freshness are untouched), and it is always a new version (the "no change" shortcut
compares with the current version, a Committee one).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.services import audit_record
from consultation.models import Article, Consultation

from .. import documents
from ..labels import both
from ..models import (
    ACTIVE_RUN_STATUSES,
    EDITION_LANGUAGES,
    Audience,
    Classification,
    Report,
    ReportDocument,
    ReportRun,
    ReportSeries,
    ReportVersion,
    RunStatus,
)
from ..sections import DocumentMeta, SectionContext, section_data, sections_for
from ..selectors.figures import report_figures, report_figures_many
from ..selectors.freshness import VersionFreshness, report_version_freshness
from ..selectors.scopes import Scope, scope_items, scope_parse

logger = logging.getLogger(__name__)

FORMATS = ("pdf", "docx", "xlsx")


class ReportError(Exception):
    """A report request that cannot be honoured; the message says why."""


def _acting(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


@transaction.atomic
def report_get_or_create(*, consultation: Consultation, scope: Scope) -> Report:
    """The report of this scope, created on first use."""
    report, _created = Report.objects.get_or_create(
        consultation=consultation,
        scope_kind=scope.kind,
        scope_key=scope.key,
        defaults={"title": scope.title[:500], "title_en": scope.title_en[:500], "title_fr": scope.title_fr[:500]},
    )
    return report


@transaction.atomic
def report_build_request(
    *,
    report: Report,
    user: Any = None,
    trigger: str = "manual",
    formats: list[str] | tuple[str, ...] = (),
    request: Any = None,
    enqueue: bool = True,
    audience: str = Audience.COMMITTEE,
) -> ReportRun:
    """Queue a build of ``report`` for ``audience``; if one is already queued or running, that one is returned.

    ``enqueue=False`` leaves sending to the caller, which queues several runs as one batch
    (``report_runs_enqueue``) so their figures are aggregated once.
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ReportError(_("Unknown format: %(formats)s (use pdf, docx or xlsx).") % {"formats": ", ".join(unknown)})
    if audience not in Audience.values:
        raise ReportError(_("Unknown audience: %(audience)s.") % {"audience": audience})
    Report.objects.select_for_update().filter(pk=report.pk).first()  # serialise requests for this report
    active = ReportRun.objects.filter(report=report, audience=audience, status__in=ACTIVE_RUN_STATUSES).first()
    if active is not None:
        return active
    run = ReportRun.objects.create(
        report=report, requested_by=_acting(user), trigger=trigger, formats=sorted(set(formats)), audience=audience
    )
    extra: dict[str, Any] = {"run": run.pk, "trigger": trigger}
    if audience != Audience.COMMITTEE:
        extra["audience"] = audience
    audit_record(
        event_type="report.build_requested",
        actor=user,
        consultation=report.consultation,
        object_repr=str(report),
        request=request,
        extra=extra,
    )
    if enqueue:
        transaction.on_commit(lambda: report_run_enqueue(run_id=run.pk))
    return run


def report_run_enqueue(*, run_id: int) -> bool:
    """Send the build task to the worker (never built here, except under the eager test settings); if the broker is
    down the run stays queued and the sweep sends it later."""
    from ..tasks import report_run_execute as report_run_execute_task

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            report_run_execute_task.apply(args=[run_id])
        else:
            report_run_execute_task.apply_async(args=[run_id], retry=False)
    except Exception:  # broker unreachable: never fail the caller; the sweep catches up
        logger.warning("Could not queue report build %s", run_id, exc_info=True)
        return False
    ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(enqueued_at=timezone.now())
    return True


def report_runs_enqueue(*, run_ids: list[int]) -> bool:
    """Send one batch task for several runs (their figures are aggregated together); the sweep resends on failure."""
    from ..tasks import report_runs_execute as report_runs_execute_task

    if not run_ids:
        return True
    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            report_runs_execute_task.apply(args=[list(run_ids)])
        else:
            report_runs_execute_task.apply_async(args=[list(run_ids)], retry=False)
    except Exception:  # broker unreachable: the sweep resends these runs one by one
        logger.warning("Could not queue report builds %s", run_ids, exc_info=True)
        return False
    ReportRun.objects.filter(pk__in=run_ids, status=RunStatus.QUEUED).update(enqueued_at=timezone.now())
    return True


def report_runs_enqueue_on_commit(*, run_ids: list[int]) -> None:
    """After commit, send the runs as ``REPORTS_BUILD_PARALLELISM`` batch tasks (one per worker process that
    can build at once): each batch aggregates its reports' figures once and renders them one by one."""
    parts = max(1, settings.REPORTS_BUILD_PARALLELISM)
    for index in range(parts):
        chunk = run_ids[index::parts]
        if chunk:
            transaction.on_commit(lambda chunk=chunk: report_runs_enqueue(run_ids=chunk))


@transaction.atomic
def report_run_retry(*, run: ReportRun, user: Any, request: Any = None) -> ReportRun:
    """A failed build is tried again as a new run (the failed one stays in the history)."""
    if run.status != RunStatus.FAILED:
        raise ReportError(_("Only a failed build can be retried."))
    return report_build_request(report=run.report, user=user, trigger="retry", formats=run.formats, request=request)


@dataclass
class Edition:
    """One language's outputs: the HTML body and the files, rendered from the same data as the other edition."""

    html: str
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class BuildOutput:
    data: dict[str, Any]
    data_version: int
    number: int
    editions: dict[str, Edition] = field(default_factory=dict)
    content_hash: str = ""
    unchanged: ReportVersion | None = None  # the current version already holds exactly these figures and texts
    meta: dict[str, Any] = field(default_factory=dict)  # the proposed cover: symbol, date, meeting, classification

    @property
    def html(self) -> str:
        """The English edition's HTML (what the benchmarks and older callers read)."""
        edition = self.editions.get("en")
        return edition.html if edition else ""

    @property
    def files(self) -> dict[str, bytes]:
        edition = self.editions.get("en")
        return edition.files if edition else {}


# What changes at every build without changing what the report says: left out of the content hash.
VOLATILE_KEYS = frozenset({"built_at", "cutoff", "data_version"})


def report_content_hash(data: dict[str, Any]) -> str:
    """SHA-256 of a report's figures and texts, the build's own moment and data version left out: two builds
    with the same hash print the same document, so the second makes no new version."""
    content = {key: value for key, value in data.items() if key not in VOLATILE_KEYS}
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _unchanged_version(report: Report, content_hash: str, formats: list[str] | tuple[str, ...]) -> ReportVersion | None:
    """The current version, if it holds the same content and every file (in both editions) this build would
    write."""
    current = (
        ReportVersion.objects.filter(pk=report.current_version_id, content_hash=content_hash)
        .only("id", "number")
        .first()
    )
    if current is None:
        return None
    held = set(ReportDocument.objects.filter(version=current).exclude(file="").values_list("language", "format"))
    wanted = {(language, fmt) for language in EDITION_LANGUAGES for fmt in (formats or FORMATS)}
    return current if wanted <= held else None


def series_default(consultation: Consultation) -> ReportSeries:
    """The series a consultation starts with (unsaved): ``T-ES(<year it opens>)``, number 01."""
    year = (consultation.opens_on or timezone.localdate()).year
    return ReportSeries(consultation=consultation, prefix=f"T-ES({year})")


def series_for(consultation: Consultation) -> ReportSeries:
    """The consultation's document series; created on first use (``series_default``)."""
    series = ReportSeries.objects.filter(consultation=consultation).first()
    if series is None:
        default = series_default(consultation)
        series, _created = ReportSeries.objects.get_or_create(
            consultation=consultation, defaults={"prefix": default.prefix}
        )
    return series


@transaction.atomic
def report_series_save(
    *, consultation: Consultation, values: dict[str, Any], user: Any, request: Any = None
) -> ReportSeries:
    """Set the consultation's series (prefix, next number, meeting, classification), audited; reports already
    numbered keep their symbol."""
    series_for(consultation)
    series = ReportSeries.objects.select_for_update().get(consultation=consultation)
    before = {"prefix": series.prefix, "next_number": series.next_number}
    for name in ("prefix", "next_number", "meeting", "classification"):
        setattr(series, name, values[name])
    series.save()
    audit_record(
        event_type="report.series_changed",
        actor=user,
        consultation=consultation,
        object_repr=str(series),
        request=request,
        extra={"before": before, "prefix": series.prefix, "next_number": series.next_number},
    )
    return series


@transaction.atomic
def report_symbol_assign(*, report: Report) -> str:
    """The report's symbol, taken from its consultation's series (next number) on its first build."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.symbol:
        return locked.symbol
    series_for(locked.consultation)
    series = ReportSeries.objects.select_for_update().get(consultation_id=locked.consultation_id)
    locked.symbol = series.symbol(series.next_number)
    series.next_number += 1
    series.save(update_fields=["next_number"])
    locked.save(update_fields=["symbol"])
    report.symbol = locked.symbol
    return locked.symbol


def proposed_meta(report: Report, *, audience: str = Audience.COMMITTEE) -> dict[str, Any]:
    """The cover a new version proposes: the report's symbol, today's date, the series' meeting and
    classification (always public for a public edition). The Secretariat may change them before publishing
    (``report_version_details_update``)."""
    symbol = report_symbol_assign(report=report)
    series = ReportSeries.objects.get(consultation_id=report.consultation_id)
    return {
        "symbol": symbol,
        "document_date": timezone.localdate(),
        "meeting": series.meeting,
        "classification": Classification.PUBLIC if audience == Audience.PUBLIC else series.classification,
    }


def version_meta(*, title: str, language: str, meta: dict[str, Any]) -> DocumentMeta:
    return DocumentMeta(
        title=title,
        language=language,
        symbol=meta.get("symbol", ""),
        date=meta.get("document_date"),
        meeting=meta.get("meeting", ""),
        classification=meta.get("classification") or Classification.RESTRICTED,
    )


def article_text_data(*, scope: Scope) -> dict[str, Any]:
    """``{"article_text": ...}`` for an article report whose article's text the Secretariat entered (Convention
    texts are the Council of Europe's: entered in the admin, not shipped), else nothing (the content hash of reports
    without it stays as it was)."""
    if scope.kind != "article":
        return {}
    number = int(str(scope.key).split(":")[0])
    row = Article.objects.filter(number=number).values("number", "text_en", "text_fr").first()
    if not row or not (row["text_en"] or "").strip():
        return {}
    return {"article_text": {**row, "text_fr": row["text_fr"] or ""}}


def extra_sections_data(
    *, report: Report, scope: Scope, item_ids: list[int], audience: str = Audience.COMMITTEE
) -> dict[str, list[dict[str, Any]]]:
    """What the later apps' section providers add to this report, per edition (stored in the version's data, so
    the content hash sees a changed section); a public build asks them for public content only."""
    out: dict[str, list[dict[str, Any]]] = {}
    for language in EDITION_LANGUAGES:
        context = SectionContext(
            consultation_id=report.consultation_id,
            scope_kind=scope.kind,
            scope_key=scope.key,
            item_ids=tuple(item_ids),
            language=language,
            audience="public" if audience == Audience.PUBLIC else "committee",
        )
        out[language] = [section_data(section) for section in sections_for(context)]
    return out


def render_editions(
    *,
    data: dict[str, Any],
    meta: dict[str, Any],
    number: int,
    formats: list[str] | tuple[str, ...] = (),
    progress=None,
    cache: documents.RenderCache | None = None,
) -> dict[str, Edition]:
    """Both editions of every format from one version's data (no query): the figures are computed once,
    rendered twice."""
    progress = progress or (lambda value: None)
    wanted = formats or FORMATS
    editions: dict[str, Edition] = {}
    share = 80 // len(EDITION_LANGUAGES)
    for index, language in enumerate(EDITION_LANGUAGES):
        base = 20 + index * share
        title = (data.get("title_fr") or data["title_en"]) if language == "fr" else data["title_en"]
        view = documents.document_view(
            data,
            language=language,
            meta=version_meta(title=title, language=language, meta=meta),
            version=number,
            progress=lambda done, total, base=base: progress(base + share // 2 * done // max(total, 1)),
            cache=cache,
        )
        edition = Edition(html=documents.render_html(view, cache=cache))
        if "pdf" in wanted:
            edition.files["pdf"] = documents.render_pdf(view)
        progress(base + share * 3 // 4)
        if "docx" in wanted:
            edition.files["docx"] = documents.render_docx(view)
        if "xlsx" in wanted:
            edition.files["xlsx"] = documents.render_xlsx(view)
        progress(base + share)
        editions[language] = edition
    return editions


def _start(run_id: int) -> ReportRun | None:
    """Lock the run and count an attempt; None when there is nothing (more) to do."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
            return None
        now = timezone.now()
        if run.attempts >= settings.REPORTS_BUILD_MAX_ATTEMPTS:
            run.status = RunStatus.FAILED
            run.finished_at = now
            run.error = _("The build stopped %(count)d times without finishing; it was abandoned.") % {
                "count": run.attempts
            }
            run.save(update_fields=["status", "finished_at", "error"])
            return None
        run.attempts += 1
        run.status = RunStatus.RUNNING
        run.started_at = now
        run.progress = 0
        run.error = ""
        run.save(update_fields=["attempts", "status", "started_at", "progress", "error"])
    return ReportRun.objects.select_related("report__consultation").get(pk=run_id)


class _Progress:
    """Writes the run's progress (its own short update, visible at once to the page polling it)."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.last = 0

    def __call__(self, value: int) -> None:
        value = max(0, min(99, int(value)))
        if value >= self.last + 5:
            ReportRun.objects.filter(pk=self.run_id, status=RunStatus.RUNNING).update(progress=value)
            self.last = value


def report_build(
    *,
    report: Report,
    formats: list[str] | tuple[str, ...] = (),
    progress=None,
    figures: dict[str, Any] | None = None,
    data_version: int | None = None,
    cache: documents.RenderCache | None = None,
    audience: str = Audience.COMMITTEE,
) -> BuildOutput:
    """Aggregate (unless ``figures`` were computed for a batch) and render one report in memory: figures,
    HTML and files. Writes nothing but progress."""
    progress = progress or (lambda value: None)
    consultation = report.consultation
    scope = scope_parse(consultation=consultation, text=report.scope)
    if figures is None:
        data_version = Consultation.objects.values_list("data_version", flat=True).get(pk=consultation.pk)
        figures = report_figures(
            consultation=consultation,
            items=scope_items(consultation=consultation, kind=scope.kind, key=scope.key),
            audience=audience,
        )
    data = dict(figures)
    data.update(
        {
            "data_version": data_version,
            "scope": {"kind": scope.kind, "key": scope.key},
            **article_text_data(scope=scope),
            "title_en": scope.title_en,
            "title_fr": scope.title_fr,
            "extra_sections": extra_sections_data(
                report=report, scope=scope, item_ids=[item["id"] for item in figures["items"]], audience=audience
            ),
        }
    )
    if audience == Audience.PUBLIC:
        data["audience"] = Audience.PUBLIC  # the documents may say so; left out of Committee data (hash unchanged)
    content_hash = report_content_hash(data)
    unchanged = _unchanged_version(report, content_hash, formats) if audience == Audience.COMMITTEE else None
    if unchanged is not None:
        return BuildOutput(
            data=data,
            data_version=data_version,
            number=unchanged.number,
            content_hash=content_hash,
            unchanged=unchanged,
        )
    progress(20)
    number = (ReportVersion.objects.filter(report=report).aggregate(n=Max("number"))["n"] or 0) + 1
    meta = proposed_meta(report, audience=audience)
    editions = render_editions(data=data, meta=meta, number=number, formats=formats, progress=progress, cache=cache)
    return BuildOutput(
        data=data, data_version=data_version, number=number, editions=editions, content_hash=content_hash, meta=meta
    )


def report_file_name(report: Report, fmt: str, language: str = "en") -> str:
    return f"{slugify(report.consultation.slug)}-{slugify(report.scope.replace(':', '-'))}-{language}.{fmt}"


def _store(report: Report, key: str, fmt: str, content: bytes, language: str) -> str:
    """Write one output under a name keyed by the run (or the re-rendering); a redelivered build overwrites its
    own files."""
    name = f"reports/{report.pk}/{key}/{language}/{report_file_name(report, fmt, language)}"
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def _documents(version: ReportVersion, editions: dict[str, Edition], names: dict[tuple[str, str], str]) -> None:
    """Write the version's edition rows (HTML body and stored files), replacing earlier ones."""
    ReportDocument.objects.filter(version=version).delete()
    rows = []
    for language, edition in editions.items():
        rows.append(ReportDocument(version=version, language=language, format="html", html=edition.html))
        for fmt, content in edition.files.items():
            document = ReportDocument(version=version, language=language, format=fmt, size=len(content))
            document.file.name = names[(language, fmt)]
            rows.append(document)
    ReportDocument.objects.bulk_create(rows)


def _finish_unchanged(run_id: int, output: BuildOutput) -> ReportRun:
    """The figures and texts equal the current version's: no new version; that version is now known to be
    current for this data version (so it is no longer stale), and the run says so."""
    assert output.unchanged is not None
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        if run.status == RunStatus.DONE:
            return run
        report = Report.objects.select_for_update().select_related("consultation").get(pk=run.report_id)
        ReportVersion.objects.filter(pk=output.unchanged.pk).update(data_version=output.data_version)
        report.built_data_version = output.data_version
        report.save(update_fields=["built_data_version"])
        run.status = RunStatus.DONE
        run.progress = 100
        run.data_version = output.data_version
        run.finished_at = timezone.now()
        run.same_as = output.unchanged
        run.save(update_fields=["status", "progress", "data_version", "finished_at", "same_as"])
        audit_record(
            event_type="report.unchanged",
            actor=run.requested_by,
            consultation=report.consultation,
            object_repr=str(output.unchanged),
            extra={"run": run.pk, "version": output.unchanged.number, "data_version": output.data_version},
        )
    return run


def _finish(run_id: int, output: BuildOutput) -> ReportRun:
    if output.unchanged is not None:
        return _finish_unchanged(run_id, output)
    report = ReportRun.objects.select_related("report__consultation").get(pk=run_id).report
    names = {
        (language, fmt): _store(report, f"run-{run_id}", fmt, content, language)
        for language, edition in output.editions.items()
        for fmt, content in edition.files.items()
    }
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        if run.status == RunStatus.DONE:
            return run
        report = Report.objects.select_for_update().select_related("consultation").get(pk=run.report_id)
        public = run.audience == Audience.PUBLIC
        version = ReportVersion(
            report=report,
            run=run,
            audience=run.audience,
            number=output.number,
            data_version=output.data_version,
            data=output.data,
            content_hash=output.content_hash,
            rendered_at=timezone.now(),
            **output.meta,
        )
        version.save()
        _documents(version, output.editions, names)
        if not public:  # a public edition never replaces the Committee's current version
            report.current_version = version
            report.built_data_version = output.data_version
        report.title = both(output.data["title_en"], output.data["title_fr"])[:500]
        report.title_en, report.title_fr = output.data["title_en"][:500], output.data["title_fr"][:500]
        titles = ["title", "title_en", "title_fr"]
        report.save(update_fields=titles if public else ["current_version", "built_data_version", *titles])
        run.status = RunStatus.DONE
        run.progress = 100
        run.data_version = output.data_version
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "progress", "data_version", "finished_at"])
        audit_record(
            event_type="report.built",
            actor=run.requested_by,
            consultation=report.consultation,
            object_repr=str(version),
            extra={
                "run": run.pk,
                "version": version.number,
                "data_version": output.data_version,
                **({"audience": run.audience} if public else {}),
            },
        )
    return run


def _fail(run_id: int, *, error: str, final: bool = True) -> None:
    values: dict[str, Any] = {"error": error[:4000]}
    if final:
        values.update(status=RunStatus.FAILED, finished_at=timezone.now())
    else:
        values.update(status=RunStatus.QUEUED, enqueued_at=None)
    ReportRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(**values)


def report_run_execute(*, run_id: int) -> ReportRun | None:
    """Build the run's report and make it current; safe to call again for the same run.

    Database errors propagate (the task retries them, up to the attempt cap); any other error marks the
    run failed with its reason and leaves the previous version current.
    """
    run = _start(run_id)
    if run is None:
        return ReportRun.objects.filter(pk=run_id).first()
    try:
        output = report_build(report=run.report, formats=run.formats, progress=_Progress(run_id), audience=run.audience)
        return _finish(run_id, output)
    except DatabaseError as exc:
        logger.warning("Report build %s hit a database error (attempt %s)", run_id, run.attempts, exc_info=True)
        try:
            _fail(
                run_id, error=f"{type(exc).__name__}: {exc}", final=run.attempts >= settings.REPORTS_BUILD_MAX_ATTEMPTS
            )
        except DatabaseError:
            pass  # the database is still away: the redelivered task or the sweep records it
        raise
    except Exception as exc:
        logger.exception("Report build %s failed", run_id)
        _fail(run_id, error=f"{type(exc).__name__}: {exc}")
        return ReportRun.objects.filter(pk=run_id).first()


def report_runs_execute(*, run_ids: list[int]) -> list[ReportRun]:
    """Build several runs, aggregating their figures together (per consultation), then rendering and finishing
    each on its own: one report's failure does not stop the others. Safe to call again (runs already done are
    skipped), like ``report_run_execute``."""
    started = [run for run in (_start(run_id) for run_id in run_ids) if run is not None]
    by_consultation: dict[tuple[int, str], list[ReportRun]] = {}
    for run in started:
        by_consultation.setdefault((run.report.consultation_id, run.audience), []).append(run)
    for (_consultation_id, audience), runs in by_consultation.items():
        consultation = runs[0].report.consultation
        try:
            data_version = Consultation.objects.values_list("data_version", flat=True).get(pk=consultation.pk)
            scopes = {run.pk: scope_parse(consultation=consultation, text=run.report.scope) for run in runs}
            figures = report_figures_many(consultation=consultation, scopes=list(scopes.values()), audience=audience)
            cache = documents.RenderCache()  # each item's view and HTML section, shared by the batch's reports
        except DatabaseError:
            for run in runs:
                _fail_quietly(run, final=False)
            raise
        except Exception as exc:
            logger.exception("Report builds %s failed while aggregating", [run.pk for run in runs])
            for run in runs:
                _fail(run.pk, error=f"{type(exc).__name__}: {exc}")
            continue
        for run in runs:
            try:
                output = report_build(
                    report=run.report,
                    formats=run.formats,
                    progress=_Progress(run.pk),
                    figures=figures[scopes[run.pk].label],
                    data_version=data_version,
                    cache=cache,
                    audience=audience,
                )
                _finish(run.pk, output)
            except DatabaseError:
                _fail_quietly(run, final=run.attempts >= settings.REPORTS_BUILD_MAX_ATTEMPTS)
                raise
            except Exception as exc:
                logger.exception("Report build %s failed", run.pk)
                _fail(run.pk, error=f"{type(exc).__name__}: {exc}")
    return list(ReportRun.objects.filter(pk__in=run_ids).order_by("pk"))


def _fail_quietly(run: ReportRun, *, final: bool) -> None:
    try:
        _fail(run.pk, error=_("The database was unavailable; the build will be retried."), final=final)
    except DatabaseError:
        pass  # the database is still away: the redelivered task or the sweep records it


def report_build_now(
    *,
    consultation: Consultation,
    scope: Scope,
    formats: list[str] | tuple[str, ...] = (),
    user: Any = None,
    audience: str = Audience.COMMITTEE,
) -> ReportRun:
    """Build one report in this process, without a worker (the ``build_reports`` command)."""
    report = report_get_or_create(consultation=consultation, scope=scope)
    with transaction.atomic():
        active = ReportRun.objects.filter(report=report, audience=audience, status__in=ACTIVE_RUN_STATUSES).first()
        run = active or ReportRun.objects.create(
            report=report, requested_by=_acting(user), trigger="command", formats=list(formats), audience=audience
        )
    return report_run_execute(run_id=run.pk) or run


@transaction.atomic
def reports_build_request(
    *,
    consultation: Consultation,
    scopes: list[Scope],
    user: Any = None,
    trigger: str = "manual",
    formats: list[str] | tuple[str, ...] = (),
    request: Any = None,
) -> list[ReportRun]:
    """Queue builds of several reports as one batch task (their figures are aggregated together)."""
    runs = [
        report_build_request(
            report=report_get_or_create(consultation=consultation, scope=scope),
            user=user,
            trigger=trigger,
            formats=formats,
            request=request,
            enqueue=False,
        )
        for scope in scopes
    ]
    report_runs_enqueue_on_commit(
        run_ids=[run.pk for run in runs if run.status == RunStatus.QUEUED and run.enqueued_at is None]
    )
    return runs


def reports_build_now(
    *, consultation: Consultation, scopes: list[Scope], formats: list[str] | tuple[str, ...] = (), user: Any = None
) -> list[ReportRun]:
    """Build several reports in this process, without a worker (the ``build_reports`` command)."""
    with transaction.atomic():
        runs = []
        for scope in scopes:
            report = report_get_or_create(consultation=consultation, scope=scope)
            active = ReportRun.objects.filter(
                report=report, audience=Audience.COMMITTEE, status__in=ACTIVE_RUN_STATUSES
            ).first()
            runs.append(
                active
                or ReportRun.objects.create(
                    report=report, requested_by=_acting(user), trigger="command", formats=list(formats)
                )
            )
    return report_runs_execute(run_ids=[run.pk for run in runs])


class ReportVersionStale(ReportError):
    """Publishing was refused because the version is stale and the person has not confirmed this state."""

    def __init__(self, message: str, *, freshness: VersionFreshness) -> None:
        super().__init__(message)
        self.freshness = freshness


def report_version_publish(
    *, version: ReportVersion, user: Any, request: Any = None, confirmed: str = ""
) -> ReportVersion:
    """Make a version visible to the Committee; earlier published versions stay available.

    A stale version (superseded by a newer one, or built before the replies last changed; see
    ``selectors.freshness``) is refused unless ``confirmed`` repeats its ``VersionFreshness.token``, i.e. the
    person saw the warning for the state it is in now. The refusal is audited in its own right (it commits even
    though nothing is published), and a confirmed publication is audited as stale with its reasons.
    """
    try:
        return _version_publish(version_id=version.pk, user=user, request=request, confirmed=confirmed)
    except ReportVersionStale as refused:
        freshness = refused.freshness
        audit_record(
            event_type="report.publish_refused_stale",
            actor=user,
            consultation=version.report.consultation,
            object_repr=str(version),
            request=request,
            extra=_stale_extra(freshness, confirmation=confirmed),
        )
        raise


def _stale_extra(freshness: VersionFreshness, **more: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "version": freshness.number,
        "stale": freshness.stale,
        "reason": ",".join(freshness.reasons),
        "superseded_by": freshness.superseded_by,
        "data_version": freshness.data_version,
        "consultation_data_version": freshness.consultation_data_version,
    }
    extra.update({key: value for key, value in more.items() if value})
    return extra


@transaction.atomic
def _version_publish(*, version_id: int, user: Any, request: Any, confirmed: str) -> ReportVersion:
    report_id = ReportVersion.objects.values_list("report_id", flat=True).get(pk=version_id)
    # Lock the report first, as a finishing build does: no new version can become current while we decide.
    Report.objects.select_for_update().filter(pk=report_id).first()
    version = (
        ReportVersion.objects.select_for_update(of=("self",))
        .select_related("report__consultation")
        .defer("data")
        .get(pk=version_id)
    )
    if version.audience != Audience.COMMITTEE:
        raise ReportError(
            _("Version %(number)d is a public edition: publish it from the consultation's publication page.")
            % {"number": version.number}
        )
    if version.published_at is not None:
        raise ReportError(_("Version %(number)d is already published.") % {"number": version.number})
    freshness = report_version_freshness(version=version)
    if freshness.stale and confirmed != freshness.token:
        raise ReportVersionStale(publish_refusal_message(freshness), freshness=freshness)
    version.published_at = timezone.now()
    version.published_by = _acting(user)
    version.save(update_fields=["published_at", "published_by"])
    audit_record(
        event_type="report.published",
        actor=user,
        consultation=version.report.consultation,
        object_repr=str(version),
        request=request,
        extra=_stale_extra(freshness, confirmed=True)
        if freshness.stale
        else {"version": version.number, "stale": False},
    )
    return version


def publish_refusal_message(freshness: VersionFreshness) -> str:
    """Why a stale version was not published, in one sentence per reason."""
    parts = []
    if freshness.superseded_by is not None:
        parts.append(
            _("Version %(number)d is superseded by version %(newer)d.")
            % {"number": freshness.number, "newer": freshness.superseded_by}
        )
    if freshness.data_changed:
        parts.append(
            _("It was built from data version %(built)d; the replies changed since (data version %(now)d now).")
            % {"built": freshness.data_version, "now": freshness.consultation_data_version}
        )
    return " ".join(parts)


@dataclass(frozen=True)
class VersionDetails:
    """What the Secretariat may change on a draft's cover before publishing it."""

    symbol: str
    document_date: Any
    meeting: str
    classification: str


@transaction.atomic
def report_version_details_update(
    *, version: ReportVersion, details: VersionDetails, user: Any, request: Any = None
) -> ReportVersion:
    """Change a draft's symbol, date, meeting or classification (audited with the values before and after), then
    write its editions again with the new cover (after commit, in the worker): the figures are not recomputed."""
    locked = (
        ReportVersion.objects.select_for_update()
        .select_related("report__consultation")
        .defer("data")
        .get(pk=version.pk)
    )
    if locked.published_at is not None:
        raise ReportError(
            _("Version %(number)d is published; its cover can no longer change (build a new version).")
            % {"number": locked.number}
        )
    symbol = details.symbol.strip()
    if not symbol:
        raise ReportError(_("Enter the document's symbol, for example T-ES(2025)07."))
    if details.classification not in Classification.values:
        raise ReportError(_("Choose public or restricted."))
    if locked.audience == Audience.PUBLIC and details.classification != Classification.PUBLIC:
        raise ReportError(_("A public edition is always classified public."))
    before = {
        "symbol": locked.symbol,
        "date": locked.document_date.isoformat() if locked.document_date else "",
        "meeting": locked.meeting,
        "classification": locked.classification,
    }
    locked.symbol = symbol[:60]
    locked.document_date = details.document_date
    locked.meeting = details.meeting.strip()[:200]
    locked.classification = details.classification
    locked.rendered_at = None  # the editions are written again after commit
    locked.save(update_fields=["symbol", "document_date", "meeting", "classification", "rendered_at"])
    after = {
        "symbol": locked.symbol,
        "date": locked.document_date.isoformat() if locked.document_date else "",
        "meeting": locked.meeting,
        "classification": locked.classification,
    }
    audit_record(
        event_type="report.details_changed",
        actor=user,
        consultation=locked.report.consultation,
        object_repr=str(locked),
        request=request,
        extra={"version": locked.number, "before": before, "after": after},
    )
    transaction.on_commit(lambda: report_version_render_enqueue(version_id=locked.pk))
    return locked


def report_version_render_enqueue(*, version_id: int) -> None:
    from ..tasks import report_version_render as task

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            task.apply(args=[version_id])
        else:
            task.apply_async(args=[version_id], retry=False)
    except Exception:  # broker down: the page says the editions are being written; a retry from the page resends
        logger.warning("Could not queue the re-rendering of report version %s", version_id, exc_info=True)


def report_version_render(*, version_id: int) -> ReportVersion | None:
    """Write a version's editions again from its stored data and its current cover (idempotent)."""
    version = ReportVersion.objects.select_related("report__consultation").filter(pk=version_id).first()
    if version is None:
        return None
    meta = {
        "symbol": version.symbol,
        "document_date": version.document_date,
        "meeting": version.meeting,
        "classification": version.classification,
    }
    formats = sorted(
        set(ReportDocument.objects.filter(version=version).exclude(format="html").values_list("format", flat=True))
    )
    editions = render_editions(data=version.data, meta=meta, number=version.number, formats=formats or FORMATS)
    key = f"v{version.pk}-{timezone.now():%Y%m%d%H%M%S%f}"
    names = {
        (language, fmt): _store(version.report, key, fmt, content, language)
        for language, edition in editions.items()
        for fmt, content in edition.files.items()
    }
    with transaction.atomic():
        locked = ReportVersion.objects.select_for_update().defer("data").get(pk=version_id)
        _documents(locked, editions, names)
        locked.rendered_at = timezone.now()
        locked.save(update_fields=["rendered_at"])
    return locked
