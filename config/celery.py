"""Celery application: tasks are discovered in each app's ``tasks.py``."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("lanzarote")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def task_state_folders_create(sender, **kwargs) -> None:
    """Create the filesystem broker's folders (kombu does not) and beat's, in the web process and in the worker
    alike: whichever starts first must be able to publish or consume."""
    conf = sender.conf
    folders = [Path(conf.beat_schedule_filename).parent]
    if conf.broker_url.startswith("filesystem://"):
        options = conf.broker_transport_options
        folders += [Path(options[key]) for key in ("data_folder_in", "data_folder_out", "control_folder")]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
