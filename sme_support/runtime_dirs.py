"""The folders the processes write to, made on start so a fresh clone (no ``var/``) runs.

The worker (``worker_init``) and beat (``sme_support.beat.Scheduler``) call
``ensure_runtime_dirs`` before they touch any of them: ``VAR_DIR``, the uploads, the folder of
beat's schedule file and, with the embedded ``filesystem://`` broker, its queue folders.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.conf import settings


def runtime_dirs(*, extra: Iterable[str | Path] = ()) -> list[Path]:
    folders = [Path(settings.VAR_DIR), Path(settings.MEDIA_ROOT), Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent]
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if key in options:
            folders.append(Path(str(options[key])))
    folders.extend(Path(folder) for folder in extra)
    return folders


def ensure_runtime_dirs(*, extra: Iterable[str | Path] = ()) -> list[Path]:
    """Create every runtime folder that is missing; returns them all."""
    folders = runtime_dirs(extra=extra)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders
