"""Fault-injection infrastructure: real PostgreSQL connections in threads, Celery workers as subprocesses,
a Redis server the suite may stop, PostgreSQL outages limited to the test database, and figure reporting.

Every module here carries ``pytestmark = pytest.mark.reliability`` and is moved to the end of the run, so the
transactional tests' flushes never run before the main suite. The checks need real row locks: without
PostgreSQL they are skipped with the reason shown, and the worker checks also need a Redis broker
(``CELERY_BROKER_URL=redis://...``), as ``.ci/run`` provides.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
HAS_REDIS_BROKER = BROKER_URL.startswith("redis://")

requires_postgres = pytest.mark.skipif(
    not IS_POSTGRES,
    reason="needs PostgreSQL row locks and concurrent connections: set DATABASE_URL=postgres://... (as .ci/run does)",
)
requires_broker = pytest.mark.skipif(
    not (IS_POSTGRES and HAS_REDIS_BROKER),
    reason="needs PostgreSQL and a Redis broker: set DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://...",
)

FIGURES_KEY = pytest.StashKey[list]()


def pytest_collection_modifyitems(config, items):
    """Run the reliability checks after the main suite (their transactional flushes come last)."""
    here = str(Path(__file__).parent)
    items.sort(key=lambda item: str(item.path).startswith(here))


def pytest_configure(config):
    config.stash[FIGURES_KEY] = []


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = config.stash.get(FIGURES_KEY, [])
    if lines:
        terminalreporter.section("reliability figures")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def figures(request) -> Callable[[str], None]:
    """``figures("concurrent editors: ...")`` prints the line now (even under capture) and in the summary."""

    def report(line: str) -> None:
        request.config.stash[FIGURES_KEY].append(line)
        capture = request.config.pluginmanager.getplugin("capturemanager")
        reporter = request.config.pluginmanager.getplugin("terminalreporter")
        if reporter is None:
            return
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line(f"[reliability] {line}")

    return report


# ---------------------------------------------------------------------------------------------------------------
# Data committed for other threads and processes
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def reference_data(transactional_db):
    """The Convention's reference data (Parties, articles): transactional tests flush it after each test."""
    from consultation.reference import reference_data_load

    reference_data_load()


@pytest.fixture
def delegation(reference_data):
    """One open consultation with a 10-item theme section, France's reply, ten delegates and the Secretariat."""
    consultation = f.ConsultationFactory(slug="reliability")
    theme = f.ThemeFactory(code="reliability-section")
    items = [f.position_item(consultation, code=f"REL-{n:02d}", theme=theme) for n in range(1, 11)]
    party = f.party("FR")
    editors = [f.delegate(party, role="member", email=f"editor{n}@fr.example") for n in range(1, 10)]
    head = f.delegate(party, role="head", email="head@fr.example")
    return SimpleNamespace(
        consultation=consultation,
        theme=theme,
        items=items,
        party=party,
        editors=[*editors, head],
        head=head,
        secretariat=f.secretariat_user(email="secretariat@coe.example"),
    )


# ---------------------------------------------------------------------------------------------------------------
# Threads on their own PostgreSQL connections
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class ThreadOutcome:
    results: list[Any] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def run_concurrently(count: int, target: Callable[[int], Any], *, timeout: float = 120) -> ThreadOutcome:
    """Start ``count`` threads that call ``target(index)`` at the same instant (a barrier); each thread has its
    own database connection, closed when it ends. Returns the results and the unexpected exceptions."""
    barrier = threading.Barrier(count)
    outcome = ThreadOutcome()
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            result = target(index)
            with lock:
                outcome.results.append(result)
        except BaseException as error:
            with lock:
                outcome.errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a thread is still running: a lock was never released"
    return outcome


# ---------------------------------------------------------------------------------------------------------------
# Subprocesses: environment, Celery workers, a Redis server of our own
# ---------------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the test database this process uses (pytest-django's ``test_<name>``)."""
    data = connection.settings_dict
    user = data.get("USER") or "postgres"
    password = f":{data['PASSWORD']}" if data.get("PASSWORD") else ""
    host = data.get("HOST") or "127.0.0.1"
    port = data.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{data['NAME']}"


def subprocess_env(*, broker_url: str, media_root: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker or server process: the test settings on the test database, a real broker,
    short redelivery delays (the test configuration of docs/reliability.md)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": "10",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "REPORTS_REBUILD_DEBOUNCE_SECONDS": "0",
        "CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(media_root),
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def _stop_process_group(process: subprocess.Popen, *, grace: float = 10) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def child_pids(pid: int) -> list[int]:
    """Direct children of a process (the prefork pool of a Celery worker)."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in found.stdout.split()]


@dataclass
class Worker:
    """A Celery worker started as a real subprocess (``celery -A config worker -c 1 -P prefork``)."""

    env: dict[str, str]
    log_path: Path
    name: str
    extra_args: tuple[str, ...] = ()
    app: str = "config"
    process: subprocess.Popen | None = None
    started: list[subprocess.Popen] = field(default_factory=list)

    def start(self, *, timeout: float = 30) -> Worker:
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        command = [
            str(VENV_BIN / "celery"),
            "-A",
            self.app,
            "worker",
            "-c",
            "1",
            "-P",
            "prefork",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            "-n",
            f"{self.name}@%h",
            *self.extra_args,
        ]
        # The banner goes to stdout and the log records to stderr (Django's console handler): one file for both.
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.started.append(self.process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            if " ready." in self.log(offset):
                return self
            time.sleep(0.1)
        raise RuntimeError(f"the worker was not ready within {timeout} s:\n{self.log()[-3000:]}")

    def log(self, offset: int = 0) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open(errors="replace") as handle:
            handle.seek(offset)
            return handle.read()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def pool_pids(self) -> list[int]:
        return child_pids(self.pid)

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool), as the OOM killer or a power cut would."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        for process in self.started:
            _stop_process_group(process)


@pytest.fixture
def worker_factory(tmp_path, request) -> Iterator[Callable[..., Worker]]:
    """Start Celery workers on the test database and the broker of ``CELERY_BROKER_URL``; all are stopped at
    the end of the test, whatever happens. The media folder is shared with the test process."""
    workers: list[Worker] = []

    def make(
        *, broker_url: str | None = None, name: str = "reliability", extra_args=(), app: str = "config", **env: str
    ) -> Worker:
        worker = Worker(
            env=subprocess_env(broker_url=broker_url or BROKER_URL, media_root=Path(settings.MEDIA_ROOT), **env),
            log_path=tmp_path / f"{name}-{len(workers)}.log",
            name=f"{name}-{len(workers)}-{os.getpid()}",
            extra_args=tuple(extra_args),
            app=app,
        )
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        for worker in workers:
            print(f"--- log of {worker.name} ---\n{worker.log()[-5000:]}")  # noqa: T201


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@dataclass
class RedisServer:
    """A Redis server of the suite's own, on a free loopback port, that a test may stop and start again
    (the machine's Redis stays up for everybody else)."""

    port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, timeout: float = 10) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.05)
        raise RuntimeError("the suite's Redis server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(port=free_port(), directory=tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL outage limited to the test database
# ---------------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def admin_cursor() -> Iterator[Any]:
    """A cursor on the ``postgres`` maintenance database (not the test database)."""
    import psycopg

    data = connection.settings_dict
    with (
        psycopg.connect(
            host=data.get("HOST") or "127.0.0.1",
            port=data.get("PORT") or 5432,
            user=data.get("USER") or "postgres",
            password=data.get("PASSWORD") or None,
            dbname="postgres",
            autocommit=True,
        ) as admin,
        admin.cursor() as cursor,
    ):
        yield cursor


@contextlib.contextmanager
def database_outage(*, keep_pid: int | None = None) -> Iterator[None]:
    """What a PostgreSQL restart does to the clients of the test database: every session is terminated
    ("terminating connection due to administrator command") and new connections are refused until the end of
    the block. Only the test database is affected, not the other engineers' databases."""
    name = connection.settings_dict["NAME"]
    with admin_cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        try:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                [name, keep_pid or 0],
            )
            yield
        finally:
            cursor.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')


def wait_for(predicate: Callable[[], Any], *, timeout: float, interval: float = 0.1) -> float:
    """Poll until ``predicate()`` is true; return the seconds it took, or fail after ``timeout``."""
    start = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not true within {timeout} s")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------------------------
# gunicorn on loopback, and plain HTTP clients carrying a session
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def gunicorn_factory(tmp_path) -> Iterator[Callable[..., Server]]:
    """Start the platform under gunicorn (sync workers) on a free loopback port, on the test database."""
    servers: list[Server] = []

    def make(*, workers: int = 4, broker_url: str | None = None, timeout: float = 30, **env: str) -> Server:
        port = free_port()
        log_path = tmp_path / f"gunicorn-{port}.log"
        command = [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ]
        full_env = subprocess_env(broker_url=broker_url or BROKER_URL, media_root=Path(settings.MEDIA_ROOT), **env)
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Server(port=port, process=process, log_path=log_path)
        servers.append(server)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{server.log()[-3000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not listen within {timeout} s:\n{server.log()[-3000:]}")

    yield make
    for server in servers:
        _stop_process_group(server.process)


CSRF_SECRET = "reliabilitycsrfsecret0123456789a"  # 32 characters: Django accepts the unmasked secret in the header


def session_cookie(user) -> str:
    """A signed-in session for ``user`` (as ``force_login`` makes it), usable from any HTTP client."""
    from django.test import Client

    from tests.access.helpers import login_with_mfa

    client = Client()
    login_with_mfa(client, user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def http_request(
    server: Server,
    method: str,
    path: str,
    *,
    session: str = "",
    data: dict | None = None,
    headers: dict | None = None,
    timeout: float = 30,
) -> tuple[int, float, bytes]:
    """One request with the session and CSRF cookies; returns the status, the seconds it took and the body."""
    import http.client
    from urllib.parse import urlencode

    body = urlencode(data or {}) if data is not None else None
    headers = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF_SECRET}",
        "X-CSRFToken": CSRF_SECRET,
        "Host": "127.0.0.1",
        **(headers or {}),
    }
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection_ = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    start = time.monotonic()
    try:
        connection_.request(method, path, body=body, headers=headers)
        answer = connection_.getresponse()
        content = answer.read()
    finally:
        connection_.close()
    return answer.status, time.monotonic() - start, content


@pytest.fixture(scope="session", autouse=True)
def _no_stray_sessions_at_teardown(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Close what the suite's threads and killed subprocesses may leave connected to the test database, so that
    pytest-django can drop it at the end ("is being accessed by other users" otherwise). Runs before the database's
    own teardown because it depends on it."""
    yield
    if not IS_POSTGRES:
        return
    with django_db_blocker.unblock():
        connections.close_all()
        with admin_cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [connection.settings_dict["NAME"]],
            )
