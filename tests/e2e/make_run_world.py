"""The data of the make-run browser test, written into the platform's own database by a separate process.

Run as ``python -m tests.e2e.make_run_world`` with the environment of the platform under test (its settings and
``DATABASE_URL``), after ``manage.py migrate``. It builds the suite's two-Party world: Germany's reply submitted, the
Article 20 report built from it, and France's reply complete but not submitted, so that France's head of delegation
can submit it in the browser. The last line of its output is JSON: the consultation's slug, the log-ins and the TOTP
secrets of the head of delegation and of the Secretariat.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    import django

    django.setup()
    from consultation.services.answers import answer_save, response_get_or_create
    from reports.selectors.scopes import scope_parse
    from reports.services.builds import report_build_now
    from tests.access.helpers import enrol_totp
    from tests.access.world import party_b_submitted
    from tests.conftest import world_build
    from tests.factories import PASSWORD

    world = world_build()
    party_b_submitted(world)
    run = report_build_now(
        consultation=world.consultation, scope=scope_parse(consultation=world.consultation, text="article:20")
    )
    assert run.status == "done", run.error
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    for item in world.items:
        answer_save(
            response=reply,
            item=item,
            data={"position": "partially", "explanation": "A bill is before the Assemblée nationale."},
            base_version=0,
            user=world.member_a,
        )
    print(  # noqa: T201
        json.dumps(
            {
                "slug": world.consultation.slug,
                "password": PASSWORD,
                "head": {"email": world.head_a.email, "secret": enrol_totp(world.head_a)},
                "secretariat": {"email": world.secretariat.email, "secret": enrol_totp(world.secretariat)},
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
