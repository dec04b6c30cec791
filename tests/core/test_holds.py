"""The two-officer rules of a hold (chancery.holds), on a subject of any type: here a toy
read-out embargo, a plain object with a hold's fields, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from chancery import holds
from chancery.errors import Conflict, Forbidden

T0 = dt.datetime(2020, 11, 10, 12, 0, tzinfo=dt.UTC)


@dataclass
class Officer:
    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass
class EmbargoHold:
    placed_by_id: int
    placed_at: dt.datetime
    expires_at: dt.datetime | None = None
    confirmed_by: Any = None
    confirmed_at: dt.datetime | None = None
    released_at: dt.datetime | None = None
    release_reason: str = ""
    renewals: int = 0
    renewal_requested_by: Any = None
    renewal_requested_at: dt.datetime | None = None

    @property
    def renewal_requested_by_id(self) -> int | None:
        return self.renewal_requested_by.pk if self.renewal_requested_by else None


A, B, C = Officer(1, "ana"), Officer(2, "ben"), Officer(3, "cy")


@pytest.fixture(autouse=True)
def hours(settings: Any) -> None:
    settings.CHANCERY_HOLD_LAPSE_HOURS = 24
    settings.CHANCERY_HOLD_MAX_HOURS = 72


def placed() -> EmbargoHold:
    return EmbargoHold(placed_by_id=A.pk, placed_at=T0, expires_at=holds.lapse_expiry(T0))


def test_expiry_arithmetic() -> None:
    assert holds.lapse_expiry(T0) == T0 + dt.timedelta(hours=24)
    assert holds.max_expiry(T0) == T0 + dt.timedelta(hours=72)


def test_confirmation_is_by_a_different_officer_and_runs_to_the_maximum() -> None:
    hold = placed()
    refusal = holds.confirm_refusal(hold, A)
    assert isinstance(refusal, Forbidden) and "different officer" in refusal.message
    with pytest.raises(Forbidden):
        holds.confirm(hold, A, now=T0)
    fields = holds.confirm(hold, B, now=T0 + dt.timedelta(hours=1))
    assert fields == ["confirmed_by", "confirmed_at", "expires_at"]
    assert hold.confirmed_by is B and hold.expires_at == T0 + dt.timedelta(hours=72)
    again = holds.confirm_refusal(hold, C)
    assert isinstance(again, Conflict) and "already confirmed by ben" in again.message


def test_renewal_needs_two_officers() -> None:
    hold = placed()
    assert isinstance(holds.renew_refusal(hold, B), Conflict)  # not confirmed yet
    holds.confirm(hold, B, now=T0)
    later = T0 + dt.timedelta(hours=70)
    fields, first = holds.renew(hold, A, now=later)  # asks
    assert first is None and hold.renewal_requested_by is A and hold.renewals == 0
    assert fields == ["renewal_requested_by", "renewal_requested_at"]
    refusal = holds.renew_refusal(hold, A)
    assert isinstance(refusal, Forbidden) and "second officer" in refusal.message
    _, first = holds.renew(hold, C, now=later)  # renews
    assert first is A and hold.renewals == 1 and hold.renewal_requested_by is None
    assert hold.expires_at == later + dt.timedelta(hours=72)


def test_no_rolling_holds_by_the_same_officer() -> None:
    lapsed = placed()
    refusal = holds.rolling_refusal(lapsed, A, "RO-2020-7")
    assert isinstance(refusal, Forbidden) and "Your last hold on RO-2020-7" in refusal.message
    assert holds.rolling_refusal(lapsed, B, "RO-2020-7") is None
    assert holds.rolling_refusal(None, A, "RO-2020-7") is None
    holds.confirm(lapsed, B, now=T0)
    assert holds.rolling_refusal(lapsed, A, "RO-2020-7") is None  # it was confirmed


def test_in_force_names_the_subject_and_what_happens_at_expiry() -> None:
    hold = placed()
    then = "The read-out is published."
    assert holds.in_force_refusal(hold, "RO-2020-7", "confirmed", now=T0, then=then) is None
    late = T0 + dt.timedelta(hours=25)
    expired = holds.in_force_refusal(hold, "RO-2020-7", "confirmed", now=late, then=then)
    assert isinstance(expired, Conflict)
    assert expired.message.endswith("it can no longer be confirmed. The read-out is published.")
    assert (
        holds.in_force_refusal(
            hold, "RO-2020-7", "released", now=late, then=then, allow_expired=True
        )
        is None
    )
    hold.released_at, hold.release_reason = late, "expired unconfirmed"
    ended = holds.in_force_refusal(hold, "RO-2020-7", "released", now=late, then=then)
    assert isinstance(ended, Conflict) and "(expired unconfirmed)" in ended.message
