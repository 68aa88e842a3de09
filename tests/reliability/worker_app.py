"""The platform's Celery application, for workers started by the reliability suite (``celery -A
tests.reliability.worker_app worker``).

It is ``config.celery.app`` itself (same settings, same tasks). One fault can be switched on by environment:
``RELIABILITY_POISON_REPORT=<report id>`` makes the build of that report kill its own process (SIGKILL, as a
crashing PDF renderer or the OOM killer would) after the platform counted the attempt, so the suite can show
that a poison build is abandoned after ``REPORTS_BUILD_MAX_ATTEMPTS`` while other builds keep flowing.
"""

from __future__ import annotations

import os
import signal

from config.celery import app

__all__ = ["app"]

POISON_REPORT = os.environ.get("RELIABILITY_POISON_REPORT")

if POISON_REPORT:
    import django

    django.setup()
    from reports.services import builds

    _report_build = builds.report_build

    def _poisoned_build(*, report, **kwargs):
        if str(report.pk) == POISON_REPORT:
            os.kill(os.getpid(), signal.SIGKILL)
        return _report_build(report=report, **kwargs)

    builds.report_build = _poisoned_build
