"""Loaded into the worker under test with ``--include tests.worker.slow_mail`` (never by the
app): the first reminder mail the worker sends hangs for SLOW_MAIL_SECONDS after the row was
claimed, so that the test can kill the worker in the middle of the task. The marker file
SLOW_MAIL_MARKER records which process is hanging; once it exists, sends go straight through.
"""

from __future__ import annotations

import os
import time
from typing import Any

from notifications import mail

_MARKER = os.environ.get("SLOW_MAIL_MARKER")

if _MARKER:
    _deliver = mail.deliver

    def _first_send_hangs(**kwargs: Any) -> None:
        try:
            fd = os.open(_MARKER, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            _deliver(**kwargs)
            return
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "60")))
        _deliver(**kwargs)

    mail.deliver = _first_send_hangs
