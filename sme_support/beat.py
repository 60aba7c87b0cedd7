"""Celery beat's scheduler: the stock persistent one, which first makes its file's folder.

Without it beat crashed on its first start in a fresh clone: ``shelve`` cannot create
``var/celerybeat-schedule`` when ``var/`` does not exist, beat takes that for a corrupted file,
fails to remove it, and exits. ``CELERY_BEAT_SCHEDULER`` names this class, so it applies to
every way beat is started (``make run``, docker-compose, ``celery -A sme_support beat``),
``--schedule`` paths included.
"""

from __future__ import annotations

import os
from typing import Any

from celery.beat import PersistentScheduler

from sme_support.runtime_dirs import ensure_runtime_dirs

# celery-types leaves out PersistentScheduler's schedule_filename.
_PersistentScheduler: Any = PersistentScheduler


class Scheduler(_PersistentScheduler):
    def setup_schedule(self) -> None:
        ensure_runtime_dirs(extra=[self._schedule_folder()])
        super().setup_schedule()

    def _schedule_folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.schedule_filename))
