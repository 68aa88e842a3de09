"""``make run``'s last step: the web server and a Celery worker (with beat) side by side, stopped together.

Run as ``python -m config.launcher --host 127.0.0.1 --port 8000``. Each child runs in its own session, so the
terminal's Ctrl-C reaches this process only, which then stops both children in order: the worker by a cold shutdown
(SIGQUIT: a build under way is interrupted and its message written back to the queue, to run again at the next
start) and the web server by SIGTERM; whatever is still alive after a grace period is killed with its whole process
group (the worker's pool, the autoreloader's server process). When either child dies on its own, the other is
stopped too and the launcher says which one ended, with its exit code.

Django is not imported here: the children read the settings (database, broker) themselves, and the worker takes
whatever broker ``CELERY_BROKER_URL`` names, by default the filesystem broker under ``var/celery/``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 15.0


@dataclass
class Child:
    """One process the launcher started and must stop: its name, command and the signal that stops it cleanly."""

    name: str
    command: list[str]
    stop_signal: int
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, cwd=ROOT, start_new_session=True)  # noqa: S603

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int, *, group: bool = False) -> None:
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(self.process.pid, signum)
            else:
                os.kill(self.process.pid, signum)

    def kill_group(self) -> None:
        """SIGKILL whatever is left in the child's process group (a pool process, a reloader's server)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


def children(*, host: str, port: int, concurrency: int, reload: bool, worker: bool = True) -> list[Child]:
    """The web server (Django's development server, as ``make run`` always served) and the worker with beat."""
    python = sys.executable
    web = [python, "manage.py", "runserver", f"{host}:{port}"]
    if not reload:
        web.append("--noreload")
    started = []
    if worker:
        started.append(
            Child(
                name="Celery worker",
                command=[
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--beat",
                    "--loglevel=INFO",
                    f"--concurrency={concurrency}",
                    # No broadcasts between workers: there is one, and on files they would pile up unread.
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "-n",
                    "platform@%h",
                ],
                stop_signal=signal.SIGQUIT,
            )
        )
    started.append(Child(name="web server", command=web, stop_signal=signal.SIGTERM))
    return started


def say(message: str) -> None:
    print(f"[launcher] {message}", file=sys.stderr, flush=True)  # noqa: T201


def run(processes: list[Child], *, grace: float = GRACE_SECONDS, poll: float = 0.2) -> int:
    """Start the children, wait until a stop signal arrives or one of them exits, then stop the others.

    Returns 0 after a requested stop, otherwise the exit code of the child that ended (1 if it was 0: a server
    that stops by itself is a failure of ``make run``)."""
    received: list[int] = []

    def on_signal(signum, frame) -> None:
        received.append(signum)

    previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
    exit_code = 0
    try:
        for child in processes:
            child.start()
            say(f"started the {child.name} (pid {child.process.pid})")
        while not received:
            ended = next((child for child in processes if not child.alive()), None)
            if ended is not None:
                code = ended.process.returncode
                say(f"the {ended.name} exited with code {code}; stopping the others")
                exit_code = code or 1
                break
            time.sleep(poll)
        else:
            say(f"received {signal.Signals(received[0]).name}; stopping the worker and the web server")
    finally:
        stop(processes, grace=grace)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return exit_code


def stop(processes: list[Child], *, grace: float) -> None:
    """Ask every child to stop, wait up to ``grace`` seconds, then kill what is left, process groups included."""
    for child in processes:
        child.signal(child.stop_signal)
    deadline = time.monotonic() + grace
    for child in processes:
        if child.process is None:
            continue
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(max(0.0, deadline - time.monotonic()))
        if child.alive():
            say(f"the {child.name} did not stop within {grace:.0f} s; killing it")
        child.kill_group()
        child.process.wait()


def mail_base_url(*, host: str, port: int, environ: dict[str, str]) -> str | None:
    """The ``PLATFORM_BASE_URL`` the children get: the configured one, else the address served here, so the links
    in mails the worker sends (receipts, reminders) point at this server and port, not at 127.0.0.1:8000. None for
    a wildcard address (0.0.0.0, ::), which no browser opens: links then follow the host each request came to."""
    configured = environ.get("PLATFORM_BASE_URL", "")
    if configured:
        return configured
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 (compared, not bound)
        return None
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the platform with a Celery worker (and beat) beside it.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes that build at once")
    parser.add_argument("--noreload", action="store_true", help="do not restart the web server when code changes")
    parser.add_argument("--without-worker", action="store_true", help="serve only (a worker runs elsewhere)")
    options = parser.parse_args(argv)
    base_url = mail_base_url(host=options.host, port=options.port, environ=dict(os.environ))
    if base_url:
        os.environ["PLATFORM_BASE_URL"] = base_url  # inherited by both children
    processes = children(
        host=options.host,
        port=options.port,
        concurrency=options.concurrency,
        reload=not options.noreload,
        worker=not options.without_worker,
    )
    return run(processes)


if __name__ == "__main__":
    sys.exit(main())
