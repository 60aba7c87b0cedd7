"""What a task retries on when a service is away, and how fast it comes back.

A task that meets an outage (PostgreSQL gone: ``OperationalError``/``InterfaceError``; the
broker gone while it publishes: kombu's ``OperationalError``; the Redis cache gone) is retried
with exponential backoff capped at ``OUTAGE_BACKOFF_MAX`` seconds, so once the service is back
the next attempt is at most that far away. Beat's sweepers use ``OUTAGE_ERRORS`` only (any other
error is a bug for the log, and the next run comes soon anyway); the tasks that do one piece of
work retry on any error, with the same cap.
"""

from __future__ import annotations

from sme_support.outage import OUTAGE_ERRORS

__all__ = ["OUTAGE_BACKOFF_MAX", "OUTAGE_ERRORS", "SWEEP_MAX_RETRIES", "WORK_MAX_RETRIES"]

# Seconds: the longest wait between two attempts, i.e. how long after the service returns a
# retried task may still wait.
OUTAGE_BACKOFF_MAX = 30
# Sweepers run again within minutes; a handful of retries bridges a restart of PostgreSQL.
SWEEP_MAX_RETRIES = 6
# 1 + 2 + 4 + 8 + 16 + 30 × 15 s: a single piece of work keeps trying for about ten minutes
# before it is recorded as failed and left to its sweeper.
WORK_MAX_RETRIES = 20
