"""In a real browser, on the configuration ``make run`` starts: the launcher (``python -m config.launcher``) serving
the platform with a Celery worker and beat beside it, on SQLite and the filesystem broker, with no Redis.

A head of delegation submits and the page comes back at once; the worker rebuilds the stale report after the
debounce and the Secretariat watches it reach "Done"; a build the Secretariat starts answers at once and its progress
bar, polled every second, reaches 100 %. Ctrl-C (SIGINT) stops the launcher, its web server and its worker.

The platform runs in its own processes on a SQLite file of its own, whatever database and broker the suite itself
uses (CI's PostgreSQL and Redis included): this test is about the embedded set-up, and the Redis one is covered by
the reliability suite. Its data is written by ``tests/e2e/make_run_world.py`` in the platform's environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import login, logout, serious_violations

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DEBOUNCE_SECONDS = 3
ANSWERS_AT_ONCE = 2.0  # seconds: before this work, a submission waited about 150 s for the rebuild


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def platform_env(tmp_path: Path) -> dict[str, str]:
    """``make run``'s environment (local settings, SQLite, the filesystem broker) in a folder of the test's own."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "PYTEST_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "CELERY_BROKER_URL": "filesystem://localhost/",  # the default, named against a developer's .env
            "TASK_STATE_DIR": str(tmp_path / "celery"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "CACHE_URL": "locmemcache://make-run-test",
            "EMAIL_URL": "dummymail://",
            "REPORTS_REBUILD_DEBOUNCE_SECONDS": str(DEBOUNCE_SECONDS),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def run_step(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def group_members(groups: list[int]) -> list[int]:
    """The live (not zombie) processes of these process groups: the launcher's children and theirs."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z" and int(fields[2]) in groups:
                members.append(int(stat.parent.name))
    return members


class Platform:
    """The launcher as ``make run`` starts it, its log, and read-only queries on its database."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = tmp_path / "db.sqlite3"
        self.log_path = tmp_path / "launcher.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "config.launcher", "--port", str(self.port), "--noreload"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the launcher exited:\n{self.log()[-4000:]}"
            if " ready." in self.log():
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            time.sleep(0.2)
        raise AssertionError(f"the platform was not ready within {timeout} s:\n{self.log()[-4000:]}")

    def children(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"started the .+ \(pid (\d+)\)", self.log())]

    def rows(self, sql: str, *params) -> list[tuple]:
        with contextlib.closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=20)) as db:
            return db.execute(sql, params).fetchall()

    def runs(self) -> list[tuple]:
        """(scope kind, scope key, trigger, status, progress) of every build, oldest first."""
        return self.rows(
            "SELECT r.scope_kind, r.scope_key, run.trigger, run.status, run.progress FROM reports_reportrun run"
            " JOIN reports_report r ON r.id = run.report_id ORDER BY run.id"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        for pid in self.children():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


@pytest.fixture
def platform(tmp_path):
    env = platform_env(tmp_path)
    run_step([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    world = json.loads(run_step([sys.executable, "-m", "tests.e2e.make_run_world"], env).strip().splitlines()[-1])
    started = Platform(tmp_path, env)
    try:
        started.wait_ready()
        started.world = world
        yield started
    finally:
        started.stop()
        print(f"--- launcher log ---\n{started.log()[-6000:]}")  # noqa: T201 (shown when the test fails)


def test_on_make_run_a_submission_answers_at_once_and_the_worker_rebuilds_the_reports(page, platform):
    world = platform.world
    slug = world["slug"]
    assert platform.runs() == [("article", "20", "command", "done", 100)]

    # The head of delegation submits: the answer does not wait for any build.
    login(page, platform, world["head"]["email"], world["password"], totp_secret=world["head"]["secret"])
    page.goto(f"{platform.url}/consultations/{slug}/submit/")
    page.get_by_label("I confirm that this reply is the official reply").check()
    with page.expect_response(lambda answer: answer.request.method == "POST" and "/submit/" in answer.url) as posted:
        start = time.monotonic()
        page.get_by_role("button", name="Submit the reply").click()
    elapsed = time.monotonic() - start
    assert posted.value.status == 302
    assert elapsed < ANSWERS_AT_ONCE, f"the submission took {elapsed:.2f} s"
    # Nothing was built in the request: read at once, well inside the debounce, after which the worker's refresh
    # may start (the receipt page and its accessibility check below can take longer than that on a busy machine).
    assert [run[2] for run in platform.runs()] == ["command"]
    page.wait_for_url(re.compile(r"/receipt/$"))  # the head lands on the submission's receipt
    assert "The reply has been submitted. It is now locked." in page.locator(".messages").inner_text()
    assert serious_violations(page) == []
    logout(page, platform)

    # The worker runs the debounced refresh (a countdown task on the filesystem broker) and rebuilds Article 20.
    login(page, platform, world["secretariat"]["email"], world["password"], totp_secret=world["secretariat"]["secret"])
    page.goto(f"{platform.url}/reports/")
    article = page.locator("tr", has_text="Article 20 – Offences concerning child pornography")
    article.get_by_role("link", name="Open version 2").wait_for(timeout=90_000)
    assert article.locator(".badge--done").inner_text() == "Done"
    assert platform.runs()[-1] == ("article", "20", "refresh", "done", 100)

    # The Secretariat builds a theme report: the page answers at once, the progress bar polls until "Done".
    page.get_by_label("Report to build").select_option("theme:generative-ai")
    with page.expect_response(lambda answer: answer.request.method == "POST" and "/build/" in answer.url) as posted:
        start = time.monotonic()
        page.get_by_role("button", name="Build", exact=True).click()
    elapsed = time.monotonic() - start
    assert posted.value.status == 302
    assert elapsed < ANSWERS_AT_ONCE, f"the build request took {elapsed:.2f} s"
    theme = page.locator("tr", has_text=re.compile("Generative AI", re.IGNORECASE))
    theme.locator(".report-run").wait_for()
    assert theme.locator(".badge--done").count() == 0  # queued or running when the page came back
    theme.locator(".report-run__percent", has_text="100 % built").wait_for(timeout=90_000)
    assert theme.locator(".badge--done").inner_text() == "Done"
    assert theme.get_by_role("link", name="Open version 1").is_visible()
    assert serious_violations(page) == []
    assert platform.runs()[-1] == ("theme", "generative-ai", "manual", "done", 100)
    assert "database is locked" not in platform.log()

    # Ctrl-C: the launcher stops the worker and the web server, and exits cleanly.
    children = platform.children()
    assert len(children) == 2
    os.kill(platform.process.pid, signal.SIGINT)
    assert platform.process.wait(30) == 0
    assert "received SIGINT; stopping the worker and the web server" in platform.log()
    deadline = time.monotonic() + 10
    while group_members(children) and time.monotonic() < deadline:
        time.sleep(0.1)  # a process killed with SIGKILL is gone a moment later
    assert group_members(children) == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", platform.port), timeout=1).close()
