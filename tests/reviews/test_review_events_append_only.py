"""Review events are a record, like the status history: written once, never changed or
deleted, through the instance or in bulk."""

from __future__ import annotations

import pytest

from applications.models import AppendOnlyError
from reviews.models import ReviewEvent, ReviewEventKind
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> ReviewEvent:
    return ReviewEvent.objects.create(application=ApplicationFactory(), kind=ReviewEventKind.values[0], note="first")


def test_an_event_cannot_be_changed(event: ReviewEvent) -> None:
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError, match="Review events are append-only"):
        event.save()
    with pytest.raises(AppendOnlyError):
        ReviewEvent.objects.filter(pk=event.pk).update(note="rewritten")
    assert ReviewEvent.objects.get(pk=event.pk).note == "first"


def test_an_event_cannot_be_deleted(event: ReviewEvent) -> None:
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ReviewEvent.objects.all().delete()
    assert ReviewEvent.objects.filter(pk=event.pk).exists()


def test_new_events_are_still_written(event: ReviewEvent) -> None:
    ReviewEvent.objects.create(application=event.application, kind=ReviewEventKind.values[0])
    ReviewEvent.objects.bulk_create([ReviewEvent(application=event.application, kind=ReviewEventKind.values[0])])
    assert ReviewEvent.objects.filter(application=event.application).count() == 3
