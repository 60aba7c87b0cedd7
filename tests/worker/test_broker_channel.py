"""The defects behind "the worker dies when Redis goes away with tasks in flight", reproduced
on kombu's own objects against a Redis of our own, with kombu's transport (the control that
shows the bug) and with ours (sme_support/broker.py).

What Celery 5.7 does on a lost broker connection, step by step: ``collect()`` the connection
(closes its channels, detaches the transport), then ``close()`` it (closes the same channel
again). Between the two, kombu's channel was left half-closed by the ``BRPOP`` it tried to
drain from the dead socket.
"""

from __future__ import annotations

from contextlib import suppress

import pytest
from kombu import Connection

from sme_support import broker
from tests.worker.conftest import OwnRedis

pytestmark = [pytest.mark.worker]

KOMBU = "kombu.transport.redis:Transport"


def _holding_an_unacked_message(url: str, transport: str):
    """A consumer that holds one unacknowledged message and is waiting on a BRPOP, as an
    idle worker with an ETA task is, beside a second channel that also holds one (a worker
    has several: its task consumer, remote control...)."""
    connection = Connection(url, transport=transport, transport_options={"visibility_timeout": 3600})
    queue = connection.SimpleQueue("outage-test")  # on the connection's default channel
    queue.put({"n": 1})
    message = queue.get(timeout=5)
    with pytest.raises(queue.Empty):
        queue.get(timeout=0.2)  # leaves the BRPOP of the next poll pending
    channel = queue.consumer.channel
    assert channel is connection.default_channel
    assert channel._in_poll, "the consumer should be waiting on a BRPOP"
    assert list(channel.qos._delivered) == [message.delivery_tag]

    other = connection.SimpleQueue("outage-test-other", channel=connection.channel())
    other.put({"n": 2})
    other.get(timeout=5)
    return connection, queue, message


def _what_celery_does_on_connection_loss(connection: Connection) -> None:
    with suppress(Exception):  # celery ignores whatever collect raises
        connection.collect(socket_timeout=1)
    connection.close()


def test_with_kombus_transport_the_second_close_raises_attribute_error(persistent_redis: OwnRedis):
    # The control: without our transport the bug is there, exactly as the drills saw it.
    connection, _, _ = _holding_an_unacked_message(persistent_redis.url, KOMBU)
    persistent_redis.stop()

    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'hostname'"):
        _what_celery_does_on_connection_loss(connection)


def test_our_transport_closes_cleanly_and_restores_the_message_when_the_broker_is_back(persistent_redis: OwnRedis):
    connection, queue, _ = _holding_an_unacked_message(persistent_redis.url, broker.TRANSPORT)
    channel = queue.consumer.channel
    persistent_redis.stop()

    _what_celery_does_on_connection_loss(connection)  # nothing escapes

    assert channel.closed
    assert broker.left_behind.pending() >= 2
    persistent_redis.start()
    client = persistent_redis.client()
    assert client.hlen("unacked") == 2  # the messages waited out the outage in Redis

    with Connection(persistent_redis.url, transport=broker.TRANSPORT) as again:
        for name, payload in (("outage-test", {"n": 1}), ("outage-test-other", {"n": 2})):
            redelivered = again.SimpleQueue(name).get(timeout=5)
            assert redelivered.payload == payload
            assert redelivered.delivery_info.get("redelivered") or redelivered.headers.get("redelivered")
            redelivered.ack()

    assert client.hlen("unacked") == 0
    assert client.llen("outage-test") == client.llen("outage-test-other") == 0


def test_a_late_acknowledgement_on_the_closed_channel_is_a_connection_error(persistent_redis: OwnRedis):
    # A task that finishes after the connection was lost acknowledges on the old channel;
    # Celery logs a connection error there ("Couldn't ack") but dies of anything else.
    connection, queue, message = _holding_an_unacked_message(persistent_redis.url, broker.TRANSPORT)
    channel = queue.consumer.channel
    persistent_redis.stop()
    _what_celery_does_on_connection_loss(connection)

    with pytest.raises(connection.connection_errors):
        message.ack()  # through the pool the failed restore left: the broker is down

    channel._disconnect_pools()
    with pytest.raises(connection.connection_errors, match="has been closed"):
        message.ack()  # no pool, and the transport was detached from the connection
