"""The Celery app: configured from Django settings (``CELERY_*``), tasks found per app."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import worker_init

from sme_support import broker
from sme_support.runtime_dirs import ensure_runtime_dirs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sme_support.settings")

# redis:// and rediss:// through our transport, which survives a broker outage with messages
# in flight (sme_support/broker.py says why kombu's does not).
broker.install()

app = Celery("sme_support")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _make_runtime_dirs(**_: Any) -> None:
    # A fresh clone has no var/: the filesystem broker's folders, uploads, the mail folder.
    ensure_runtime_dirs()
