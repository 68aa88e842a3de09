"""Check 13: ``manage.py check --deploy --fail-level WARNING`` with the production settings reports nothing.

Run as ``make check-deploy`` does, in a subprocess with a random secret key. Any check silenced in
``SILENCED_SYSTEM_CHECKS`` must be justified by a comment on its line of ``config/settings/production.py``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.reliability

PRODUCTION = ROOT / "config" / "settings" / "production.py"


def _production_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DEBUG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="consultations.example.org",
    )
    return env


def test_deploy_checks_report_nothing_with_production_settings(figures):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    silenced = re.search(r"\((\d+) silenced\)", output)
    figures(
        f"deploy checks: exit {result.returncode}, "
        f"{'no issues' if 'no issues' in output else 'issues reported'}, {silenced.group(1) if silenced else '?'} silenced"
    )
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_every_silenced_check_is_justified_in_the_production_settings():
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'silenced': settings.SILENCED_SYSTEM_CHECKS, 'debug': settings.DEBUG, "
        "'hsts': settings.SECURE_HSTS_SECONDS, 'session_secure': settings.SESSION_COOKIE_SECURE, "
        "'csrf_secure': settings.CSRF_COOKIE_SECURE, 'idle': settings.SESSION_COOKIE_AGE, "
        "'absolute': settings.SESSION_ABSOLUTE_SECONDS}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=_production_env(), capture_output=True, text=True, check=True
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    lines = PRODUCTION.read_text().splitlines()
    for check_id in values["silenced"]:
        justified = [line for line in lines if check_id in line and "#" in line.split(check_id, 1)[1]]
        assert justified, f"{check_id} is silenced without a comment saying why in {PRODUCTION.name}"
    assert values["debug"] is False
    assert values["hsts"] >= 31_536_000  # ASVS 3.4.1: at least one year
    assert values["session_secure"]
    assert values["csrf_secure"]
    # Sessions end (ASVS 7.3.1, 7.3.2): an idle timeout and an absolute one, neither Django's two weeks.
    assert 0 < values["idle"] <= 12 * 3600
    assert values["idle"] <= values["absolute"] <= 24 * 3600
