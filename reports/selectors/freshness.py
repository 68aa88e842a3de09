"""Whether a report version is still the one to publish: the single rule behind the "Stale" badges, the
version page's "superseded by version N", and the publish service's refusal.

A version is stale when a newer version of its report exists (it is superseded), or when the consultation's
submitted data changed after it was built (its data version is below the consultation's: a reply was
submitted or reopened since). The rule is computed from what the pages already load
(``ReportVersion.data_version``, ``Report.current_version``, ``Report.built_data_version``,
``Consultation.data_version``), so it needs no column of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, Q

from ..models import Audience, Report, ReportVersion

SUPERSEDED = "superseded"
DATA_CHANGED = "data_changed"


@dataclass(frozen=True)
class VersionFreshness:
    """What a person must know before publishing ``number``."""

    number: int
    superseded_by: int | None  # the newest version's number, when newer than this one
    data_version: int  # the consultation's data version this version was built from
    consultation_data_version: int  # the consultation's data version now

    @property
    def is_current(self) -> bool:
        return self.superseded_by is None

    @property
    def data_changed(self) -> bool:
        return self.data_version < self.consultation_data_version

    @property
    def stale(self) -> bool:
        return not self.is_current or self.data_changed

    @property
    def reasons(self) -> list[str]:
        """Machine-readable reasons, as recorded in the audit trail."""
        return [
            reason
            for reason, applies in ((SUPERSEDED, not self.is_current), (DATA_CHANGED, self.data_changed))
            if applies
        ]

    @property
    def token(self) -> str:
        """What a confirmation must repeat: the state the person saw. If another version is built or the
        replies change again between the warning and the confirmation, the token no longer matches and the
        person is warned again about the new state."""
        return f"v{self.superseded_by or self.number}-d{self.consultation_data_version}"


def version_freshness(
    *,
    version: ReportVersion,
    newest_number: int | None,
    current_version_id: int | None,
    built_data_version: int,
    consultation_data_version: int,
) -> VersionFreshness:
    """The rule itself, without queries: the caller passes what it loaded.

    ``newest_number`` is the highest version number of the report (None or this version's own number when
    there is no newer one). For the current version the data it stands for is the report's
    ``built_data_version`` when that is higher (a rebuild that found identical content may confirm the current
    version against newer data without writing a new one).
    """
    superseded_by = newest_number if newest_number is not None and newest_number > version.number else None
    data_version = version.data_version
    if current_version_id == version.pk:
        data_version = max(data_version, built_data_version)
    return VersionFreshness(
        number=version.number,
        superseded_by=superseded_by,
        data_version=data_version,
        consultation_data_version=consultation_data_version,
    )


def report_version_freshness(*, version: ReportVersion) -> VersionFreshness:
    """The freshness of one version, read now in one query (not from the caller's possibly older copies of the
    report and the consultation)."""
    current_version_id, built_data_version, consultation_data_version, newest = (
        Report.objects.filter(pk=version.report_id)
        .annotate(newest=Max("versions__number", filter=Q(versions__audience=Audience.COMMITTEE)))
        .values_list("current_version_id", "built_data_version", "consultation__data_version", "newest")
        .get()
    )
    return version_freshness(
        version=version,
        newest_number=newest,
        current_version_id=current_version_id,
        built_data_version=built_data_version,
        consultation_data_version=consultation_data_version,
    )
