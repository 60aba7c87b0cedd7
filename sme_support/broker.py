"""The Redis broker transport: kombu's, with a channel that can be closed on a dead connection.

Why this exists (celery 5.7.0, kombu 5.7.0, redis-py 8.1.0): when Redis goes away while the
worker holds unacknowledged messages (``task_acks_late``: every task in flight, every task
waiting for its ETA), the worker died with ``Unrecoverable error: AttributeError("'NoneType'
object has no attribute 'hostname'")`` and stayed dead. The chain:

1. The consumer's channel is waiting on a ``BRPOP`` when the connection drops. Celery 5.7's
   ``on_connection_error_after_connected`` first ``collect()``s the connection, which closes the
   channel, then detaches the transport from the connection (``transport.client = None``), then
   calls ``connection.close()``, which closes the same channel a second time.
2. kombu's ``Channel.close`` first drains the pending ``BRPOP`` reply (kombu PR #1733, so a
   message popped during shutdown is not lost). On a dead connection that read raises
   ``ConnectionError``, which aborts ``close`` before the channel is marked closed.
3. The second ``close`` gets past the drain and restores the unacknowledged messages, which
   needs a new connection pool, whose parameters come from ``transport.client`` — now None:
   ``AttributeError``. ``kombu.common.ignore_errors`` lets only connection errors through, so it
   reaches the worker as an unrecoverable error.

The fix, upstream-style, in three small overrides:

- ``Channel.close`` treats a connection error while draining the pending ``BRPOP`` as "nothing
  to drain" and goes on closing, so the channel is marked closed and the second close is a
  no-op (this alone stops the crash);
- a channel whose transport was detached raises a connection error, not ``AttributeError``,
  should anything still use it (a task finishing and acknowledging after the close);
- restoring the unacknowledged messages needs the broker, which is just what is missing: the
  delivery tags are remembered and restored by the first channel that connects to the same
  broker again, so the messages come back at once instead of after the visibility timeout
  (two hours here). Tasks are idempotent, so a task that did finish but could not acknowledge
  and runs again does no harm.

``install()`` points the ``redis://`` and ``rediss://`` schemes at this transport.
``tests/worker/test_broker_channel.py`` reproduces each defect against a real Redis, and
``tests/worker/test_broker_restart.py`` stops and starts a Redis under a real worker.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from kombu import transport as kombu_transport
from kombu.transport import redis as kombu_redis
from kombu.transport.virtual import Empty
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)

TRANSPORT = "sme_support.broker:Transport"

BrokerKey = tuple[str, int, str]

# kombu's stubs leave out the transport's internals (_in_poll, _brpop_read, restore_by_tag…)
# that these overrides work with.
_KombuQoS: Any = kombu_redis.QoS
_KombuChannel: Any = kombu_redis.Channel
_KombuTransport: Any = kombu_redis.Transport


class _LeftBehind:
    """Delivery tags whose restore failed because the broker was unreachable, per broker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tags: dict[BrokerKey, list[str]] = {}

    def remember(self, broker: BrokerKey, tags: list[str]) -> None:
        with self._lock:
            self._tags.setdefault(broker, []).extend(tags)

    def take(self, broker: BrokerKey) -> list[str]:
        with self._lock:
            return self._tags.pop(broker, [])

    def pending(self) -> int:
        with self._lock:
            return sum(len(tags) for tags in self._tags.values())


left_behind = _LeftBehind()


class QoS(_KombuQoS):
    def restore_unacked(self, client: Any = None) -> None:
        tags = list(self._delivered)
        try:
            super().restore_unacked(client)
        except self.channel.connection_errors as exc:
            # The messages are safe in the broker's unacked hash; what is missing is a
            # connection to move them back to their queue. The next channel to the same broker
            # does it (Channel._restore_left_behind).
            broker = self.channel.broker_key
            if broker is not None and tags:
                left_behind.remember(broker, tags)
                logger.warning(
                    "Could not restore %d unacknowledged message(s), the broker is unreachable (%r); "
                    "they are restored when it is back.",
                    len(tags),
                    exc,
                )
            self._delivered.clear()


class Channel(_KombuChannel):
    QoS = QoS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The parent has just had an answer to its PING: the broker is reachable again.
        self._restore_left_behind()

    @property
    def broker_key(self) -> BrokerKey | None:
        conninfo = self.connection.client if self.connection is not None else None
        if conninfo is None:
            return None
        return (conninfo.hostname or "127.0.0.1", int(conninfo.port or 6379), str(conninfo.virtual_host or "0"))

    def _restore_left_behind(self) -> None:
        broker = self.broker_key
        if broker is None or not self.ack_emulation:
            return
        tags = left_behind.take(broker)
        if not tags:
            return
        for index, tag in enumerate(tags):
            try:
                self.qos.restore_by_tag(tag, client=self.client)
            except self.connection_errors:
                # Gone again before we were done: the rest waits for the next channel.
                left_behind.remember(broker, tags[index:])
                raise
        logger.warning("Restored %d message(s) left unacknowledged by the last broker outage.", len(tags))

    def close(self) -> None:
        if self._in_poll and not self.closed:
            try:
                # What kombu's close does first; ``_brpop_read`` clears ``_in_poll`` either way.
                self._brpop_read()
            except Empty:
                pass
            except self.connection_errors:
                # The connection is dead, so there is no reply left to drain. kombu lets this
                # abort close() before the channel is marked closed (see the module docstring).
                pass
        super().close()

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection is None or self.connection.client is None:
            # The connection was closed and its transport detached; say so in a way kombu and
            # Celery handle (a connection error), not with an AttributeError.
            raise RedisConnectionError("The broker connection of this channel has been closed.")
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)
        return params


class Transport(_KombuTransport):
    Channel = Channel


def install() -> None:
    """Use this transport for ``redis://`` and ``rediss://`` broker URLs in this process.

    Through the scheme aliases rather than Celery's ``broker_transport`` so that ``rediss://``
    keeps kombu's TLS handling, which keys on the scheme's name.
    """
    resolved: dict[str | None, type | None] = getattr(kombu_transport, "_transport_cache", {})
    for scheme in ("redis", "rediss"):
        kombu_transport.TRANSPORT_ALIASES[scheme] = TRANSPORT
        resolved.pop(scheme, None)
