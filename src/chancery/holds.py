"""The two-officer rules of a hold, whatever it holds back (a message today; an embargoed
read-out later). Pure: no database, no domain. The domain's rules (``allowed_actions``) ask the
``*_refusal`` functions, which return the error to raise (or None), with the domain's own hold
row and a label naming its subject ("CH-2020-000123"); its services lock their rows, call
``confirm`` / ``renew`` / ``lapse_expiry``, save the fields they set and record their events.

A hold row has ``placed_by_id``, ``placed_at``, ``confirmed_by(_id)``, ``confirmed_at``,
``expires_at``, ``released_at``, ``release_reason``, ``renewals``, ``renewal_requested_by(_id)``
and ``renewal_requested_at`` (as ``correspondence.Hold`` has). The rules:

- a hold lapses CHANCERY_HOLD_LAPSE_HOURS after it is placed unless a *different* officer
  confirms it;
- a confirmed hold ends CHANCERY_HOLD_MAX_HOURS after it was placed (or last renewed) unless two
  officers renew it (one asks, a different one renews);
- a hold past its expiry can no longer be confirmed or renewed;
- the officer whose last hold ended unconfirmed cannot keep it alive by placing it again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from chancery.errors import ChanceryError, Conflict, Forbidden


def hours(setting: str) -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, setting)))


def when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z") if moment else "never"


def lapse_expiry(placed_at: dt.datetime) -> dt.datetime:
    """When an unconfirmed hold lapses."""
    return placed_at + hours("CHANCERY_HOLD_LAPSE_HOURS")


def max_expiry(start: dt.datetime) -> dt.datetime:
    """When a confirmed hold ends: its start (placing or last renewal) plus the maximum."""
    return start + hours("CHANCERY_HOLD_MAX_HOURS")


def rolling_refusal(last: Any | None, by: Any, subject: str) -> Forbidden | None:
    """No rolling holds: ``last`` is the subject's previous officer's hold (or None)."""
    if last is not None and last.confirmed_at is None and last.placed_by_id == by.pk:
        return Forbidden(
            f"Your last hold on {subject} ended without a second officer's "
            "confirmation; a hold cannot be kept alive by placing it again. Another officer "
            "must place the new hold."
        )
    return None


def in_force_refusal(
    hold: Any,
    subject: str,
    verb: str,
    *,
    now: dt.datetime,
    then: str,
    allow_expired: bool = False,
) -> Conflict | None:
    """The hold has not ended and (unless ``allow_expired``) has not expired. ``verb``: what
    would be done to it ("confirmed"); ``then``: what happens to the subject at expiry."""
    if hold.released_at is not None:
        return Conflict(
            f"This hold on {subject} already ended at {when(hold.released_at)} "
            f"({hold.release_reason})."
        )
    if not allow_expired and hold.expires_at is not None and hold.expires_at <= now:
        return Conflict(
            f"This hold on {subject} expired at {when(hold.expires_at)}; it can no "
            f"longer be {verb}. {then}"
        )
    return None


def confirm_refusal(hold: Any, by: Any) -> ChanceryError | None:
    """Confirmation is by a different officer, once."""
    if hold.confirmed_at is not None:
        return Conflict(
            f"This hold is already confirmed by {hold.confirmed_by}; a further extension is "
            "a renewal (two officers)."
        )
    if hold.placed_by_id == by.pk:
        return Forbidden(
            "A hold must be confirmed by a different officer from the one who placed it."
        )
    return None


def renew_refusal(hold: Any, by: Any) -> ChanceryError | None:
    """Renewal is of a confirmed hold, by two different officers (one asks, one renews)."""
    if hold.confirmed_at is None:
        return Conflict(
            "Only a confirmed hold can be renewed; have a second officer confirm it first."
        )
    if hold.renewal_requested_by_id == by.pk:
        return Forbidden("A renewal needs a second officer; you have already asked for this one.")
    return None


def confirm(hold: Any, by: Any, *, now: dt.datetime) -> list[str]:
    """Confirm the hold (after ``confirm_refusal``): it then runs to its maximum. Sets the
    fields on ``hold`` and returns their names (for ``save(update_fields=...)``)."""
    refusal = confirm_refusal(hold, by)
    if refusal is not None:
        raise refusal
    hold.confirmed_by = by
    hold.confirmed_at = now
    hold.expires_at = max_expiry(hold.placed_at)
    return ["confirmed_by", "confirmed_at", "expires_at"]


def renew(hold: Any, by: Any, *, now: dt.datetime) -> tuple[list[str], Any | None]:
    """The first officer's call asks for a renewal, a different officer's call renews. Sets
    the fields on ``hold``; returns their names and, when the hold was renewed, the officer
    who had asked (None when this call only asked)."""
    refusal = renew_refusal(hold, by)
    if refusal is not None:
        raise refusal
    if hold.renewal_requested_by_id is None:
        hold.renewal_requested_by = by
        hold.renewal_requested_at = now
        return ["renewal_requested_by", "renewal_requested_at"], None
    first = hold.renewal_requested_by
    hold.expires_at = max_expiry(now)
    hold.renewals += 1
    hold.renewal_requested_by = None
    hold.renewal_requested_at = None
    return ["expires_at", "renewals", "renewal_requested_by", "renewal_requested_at"], first
