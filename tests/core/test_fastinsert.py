"""fastinsert.insert stores exactly the row Model.objects.create would (both databases)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import models
from django.db.models import F
from django.db.models.functions import Now
from django.test.utils import isolate_apps

from chancery.fastinsert import UnsupportedModel, insert
from chancery.ledger.models import Event


def test_insert_stores_what_create_stores(people: dict[str, Any]) -> None:
    values = {
        "at": dt.datetime(2020, 11, 7, 17, 2, 3, 456789, tzinfo=dt.UTC),
        "kind": "message.received",
        "subject_type": "message",
        "subject_id": 42,
        "actor": people["liaison_ca"],
        "data": {"sender": "Canada", "nested": {"list": [1, "é", None]}, "ok": True},
        "leaf": b'{"v":1,"text":"\xd8\xb9"}\x00\xff',
    }
    fast = insert(Event(**values))
    slow = Event.objects.create(**values)
    assert fast.pk is not None and fast.pk != slow.pk and not fast._state.adding
    fields = [f.attname for f in Event._meta.concrete_fields if f.attname != "id"]
    a = Event.objects.filter(pk=fast.pk).values(*fields).get()
    b = Event.objects.filter(pk=slow.pk).values(*fields).get()
    a["leaf"], b["leaf"] = bytes(a["leaf"]), bytes(b["leaf"])
    assert a == b
    assert a["leaf"] == values["leaf"] and a["at"] == values["at"]


def test_insert_without_actor(db: Any) -> None:
    event = insert(
        Event(
            at=dt.datetime(2020, 11, 23, tzinfo=dt.UTC),
            kind="k",
            subject_type="s",
            subject_id=1,
            data={},
            leaf=b"{}",
        )
    )
    stored = Event.objects.get(pk=event.pk)
    assert stored.actor_id is None and stored.data == {}


@isolate_apps("chancery.ledger")
def test_models_with_database_computed_fields_are_refused() -> None:
    """A GeneratedField or a db_default would be filled from Python (wrongly) by the compiled
    INSERT, so fastinsert refuses such a model with an error naming the field."""

    class WithGenerated(models.Model):  # noqa: DJ008
        a = models.IntegerField()
        doubled = models.GeneratedField(
            expression=F("a") * 2, output_field=models.IntegerField(), db_persist=True
        )

        class Meta:
            app_label = "ledger"

    class WithDbDefault(models.Model):  # noqa: DJ008
        at = models.DateTimeField(db_default=Now())

        class Meta:
            app_label = "ledger"

    with pytest.raises(UnsupportedModel, match="doubled is a GeneratedField"):
        insert(WithGenerated(a=1))
    with pytest.raises(UnsupportedModel, match="at has db_default"):
        insert(WithDbDefault())


def test_every_model_inserted_fast_is_supported() -> None:
    """The models the intake path inserts pass the check (it runs once per model)."""
    from chancery.correspondence.models import Message
    from chancery.fastinsert import _check_supported

    for model in (Event, Message):
        _check_supported(model)
