"""Read-outs: the public account of a call, drafted by staff, cleared by the principal's office,
published by the one rule of :func:`publication_refusal`.

A read-out's texts are versions (never edited). The first draft creates the read-out with its
public address (``slug``: the call's date and the counterpart's country or organisation); a
later draft is a new version, and a version drafted after one was published is a *correction*
that needs a note, shown publicly with it. Only the latest version may be cleared (by the
principal's office of the call's principal, a person other than its drafter) and published.

Publication (by a person with :func:`publish_readout`, or by the worker with
:func:`publish_due`) is allowed only when the latest version is cleared, the call is COMPLETED
(``completed_at <= now``) and ``now >= embargo_until``. It sets the version's ``published_at``
and ``digest``: the SHA-256 of the canonical JSON of :func:`published_object`, the object the
public JSON page shows, so anyone can hash it and find the digest in the log's
``readout.published`` event. The public page shows the latest published version; a cleared
correction waits its turn like a first version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import has_role, profile_of, role_refusal
from chancery.calls.models import CallRequest, CallState
from chancery.calls.services.common import OFFICERS, iso
from chancery.errors import Conflict, Forbidden, InvalidInput
from chancery.inputs import clean_text
from chancery.ledger.services import canonical_json
from chancery.records.models import Readout, ReadoutVersion
from chancery.records.services.common import readout_event

MAX_TITLE = 300
MAX_BODY = 20_000
MAX_NOTE = 2_000
MAX_EMBARGO_NOTE = 300
MAX_URL = 500

DRAFTABLE_CALL_STATES = (
    CallState.SCHEDULED, CallState.CLEARED, CallState.CONNECTED, CallState.COMPLETED,
)
"""A read-out is prepared for a call that has its time (staff draft before it ends)."""

DRAFTERS = (*OFFICERS, Role.RECORDS_OFFICER, Role.PRINCIPAL_OFFICE)
"""Who drafts, sets the embargo, links and publishes (the principal's office: its own calls)."""


# --------------------------------------------------------------------------- helpers


def own_office(user: Any, call: CallRequest) -> bool:
    """``user`` is of the principal's office of the call's principal."""
    return has_role(user, Role.PRINCIPAL_OFFICE) and (
        profile_of(user).principal_id == call.principal_id
    )


def may_act(user: Any, call: CallRequest) -> bool:
    """Whether ``user`` may draft, embargo, link and publish read-outs of ``call``."""
    if has_role(user, *OFFICERS, Role.RECORDS_OFFICER):
        return True
    return own_office(user, call)


def require_act(user: Any, call: CallRequest, action: str) -> None:
    if may_act(user, call):
        return
    refusal = role_refusal(user, *OFFICERS, Role.RECORDS_OFFICER, action=action)
    raise Forbidden(
        (refusal.message if refusal else f"You may not {action}.")
        + f" The {call.principal.title}'s office may too, for its own calls."
    )


def may_clear(user: Any, readout: Readout) -> bool:
    """The principal's office of the call's principal, not the latest version's drafter."""
    latest = latest_version(readout)
    return own_office(user, readout.call) and (latest is None or latest.created_by_id != user.pk)


def _lock(readout: Readout) -> Readout:
    return (
        Readout.objects.select_for_update(of=("self",))
        .select_related("call__principal", "call__office__country", "call__office__organisation")
        .get(pk=readout.pk)
    )


def latest_version(readout: Readout) -> ReadoutVersion | None:
    return readout.versions.filter(number=readout.version).first()


def call_date(call: CallRequest) -> dt.date:
    """The call's date in its principal's time zone (its time, else when it ended, else when it
    was received): the date of the slug and of the published object."""
    moment = call.start or call.completed_at or call.received_at
    try:
        zone = ZoneInfo(call.principal.time_zone)
    except Exception:  # noqa: BLE001 - a principal's zone is validated; UTC if it is not
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).date()


def counterpart(call: CallRequest) -> str:
    """The call's counterpart's country or organisation, in words."""
    return call.office.polity


def default_title(call: CallRequest) -> str:
    """The draft form's title: "Read-out of the call between Joseph R. Biden Jr. and Justin
    Trudeau, Prime Minister of Canada"."""
    office = call.office
    other = f"{office.leader}, {office.title}" if office.leader_id else office.title
    return f"Read-out of the call between {call.principal.name} and {other}"


def _new_slug(call: CallRequest) -> str:
    base = slugify(f"{call_date(call).isoformat()}-{counterpart(call)}")[:110].strip("-")
    slug, n = base, 1
    while Readout.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def content_of(version: ReadoutVersion) -> dict[str, Any]:
    """A version's content as ``readout.drafted`` commits to it."""
    return {
        "title": version.title, "body": version.body, "correction_note": version.correction_note,
    }


def published_object(slug: str, version: ReadoutVersion | dict[str, Any],
                     date: dt.date | str) -> dict[str, Any]:
    """THE object a published version is: what the public JSON shows under ``published`` and
    what ``digest`` hashes (canonical JSON: sorted keys, no spaces, UTF-8)."""
    v = version if isinstance(version, dict) else {
        **content_of(version), "number": version.number,
    }
    return {
        "slug": slug,
        "version": v["number"],
        "title": v["title"],
        "body": v["body"],
        "correction_note": v["correction_note"],
        "date": date if isinstance(date, str) else date.isoformat(),
    }


def digest_of(obj: dict[str, Any]) -> str:
    """SHA-256 hex of the canonical JSON of a published object."""
    return hashlib.sha256(canonical_json(obj)).hexdigest()


# --------------------------------------------------------------------------- drafting


def _clean(title: Any, body: Any, correction_note: Any) -> tuple[str, str, str]:
    title = clean_text(title, field="title", max_len=MAX_TITLE, required=True).strip()
    if "\n" in title:
        raise InvalidInput("The title is one line; remove the line breaks.", field="title")
    body = clean_text(body, field="body", max_len=MAX_BODY, required=True).strip()
    note = clean_text(correction_note, field="correction_note", max_len=MAX_NOTE,
                      required=False).strip()
    return title, body, note


def draft_readout(call: CallRequest, *, by: Any, title: str, body: str,
                  correction_note: str = "") -> ReadoutVersion:
    """Draft the call's read-out: its first version (creating the read-out and its slug), or a
    new version. After a publication the new version is a correction and needs a note."""
    require_act(by, call, "draft read-outs")
    title, body, note = _clean(title, body, correction_note)
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _draft(call, by, title, body, note)
        except IntegrityError:
            # Two first drafts at once (one read-out per call), or a slug taken meanwhile.
            if attempt == 2:
                raise Conflict(
                    "Someone drafted this call's read-out at the same moment; reload and "
                    "draft a new version."
                ) from None
    raise AssertionError("unreachable")


def _draft(call: CallRequest, by: Any, title: str, body: str, note: str) -> ReadoutVersion:
    now = clock.now()
    call = (
        CallRequest.objects.select_for_update(of=("self",))
        .select_related("principal", "office__country", "office__organisation", "office__leader")
        .get(pk=call.pk)
    )
    existing = Readout.objects.filter(call=call).first()
    if existing is None:
        if call.state not in DRAFTABLE_CALL_STATES:
            raise Conflict(
                f"Call {call.tracking} is {call.get_state_display().lower()}: a read-out is "
                "drafted for a call that is scheduled, cleared, connected or completed."
            )
        if note:
            raise InvalidInput(
                "A correction note is for a version drafted after the read-out was published; "
                "leave it empty for the first version.", field="correction_note",
            )
        readout = Readout.objects.create(
            call=call, slug=_new_slug(call), state=Readout.State.DRAFT, version=1,
            created_by=by, created_at=now,
        )
        readout.call = call
        number = 1
    else:
        readout = _lock(existing)
        correction = readout.published_version is not None
        if correction and not note:
            raise InvalidInput(
                f"Version {readout.published_version} is published: a new version is a "
                "correction. Say what it corrects in the correction note (shown publicly "
                "with it).", field="correction_note",
            )
        if not correction and note:
            raise InvalidInput(
                "Nothing is published yet, so this version is not a correction; leave the "
                "correction note empty.", field="correction_note",
            )
        number = readout.version + 1
        readout.version = number
        readout.state = Readout.State.DRAFT
        readout.save(update_fields=["version", "state"])
    version = ReadoutVersion.objects.create(
        readout=readout, number=number, title=title, body=body, correction_note=note,
        created_by=by, created_at=now,
    )
    readout_event(readout, "readout.drafted", by, version=number, slug=readout.slug,
                  correction=bool(note), content=content_of(version))
    return version


# --------------------------------------------------------------------------- clearance


def clear_readout(readout: Readout, *, by: Any, version: int) -> ReadoutVersion:
    """The principal's office of the call's principal clears ``version`` (the latest; a stale
    number is a 409), a person other than its drafter."""
    call = readout.call
    if not own_office(by, call):
        raise Forbidden(f"Only the {call.principal.title}'s office clears its read-outs.")
    if isinstance(version, bool) or not isinstance(version, int):
        raise InvalidInput("version must be the version's number.", field="version")
    with transaction.atomic():
        readout = _lock(readout)
        if version != readout.version:
            raise Conflict(
                f"Version {version} is not the latest: version {readout.version} was drafted "
                "since. Read it and clear that one."
            )
        row = ReadoutVersion.objects.select_for_update().get(readout=readout, number=version)
        if row.cleared_at is not None:
            raise Conflict(f"Version {version} is cleared already.")
        if row.created_by_id == by.pk:
            raise Forbidden(
                "You drafted this version; another person of the office must clear it."
            )
        now = clock.now()
        row.cleared_by, row.cleared_at = by, now
        row.save(update_fields=["cleared_by", "cleared_at"])
        readout.state = Readout.State.CLEARED
        readout.save(update_fields=["state"])
        readout_event(readout, "readout.cleared", by, version=version)
    return row


# --------------------------------------------------------------------------- embargo, link


def set_embargo(readout: Readout, *, by: Any, until: dt.datetime | None,
                note: str = "") -> Readout:
    """Not published before ``until`` (the counterpart's embargo); None lifts it."""
    require_act(by, readout.call, "set a read-out's embargo")
    if until is not None and (not isinstance(until, dt.datetime) or until.tzinfo is None):
        raise InvalidInput("until must be a date and time with its time zone.", field="until")
    note = clean_text(note, field="note", max_len=MAX_EMBARGO_NOTE, required=False).strip()
    with transaction.atomic():
        readout = _lock(readout)
        readout.embargo_until = until
        readout.embargo_note = note if until is not None else ""
        readout.save(update_fields=["embargo_until", "embargo_note"])
        readout_event(readout, "readout.embargo", by, until=iso(until),
                      note=readout.embargo_note)
    return readout


_HTTPS = URLValidator(schemes=["https"])


def link_counterpart(readout: Readout, *, by: Any, url: str) -> Readout:
    """Link the counterpart's own read-out (an https URL; empty removes the link)."""
    require_act(by, readout.call, "link read-outs")
    url = clean_text(url, field="url", max_len=MAX_URL, required=False).strip()
    if url:
        try:
            _HTTPS(url)
        except ValidationError:
            raise InvalidInput(
                f"{url!r} is not an https address; give the counterpart's page as "
                "https://...", field="url",
            ) from None
    with transaction.atomic():
        readout = _lock(readout)
        readout.counterpart_url = url
        readout.save(update_fields=["counterpart_url"])
        readout_event(readout, "readout.linked", by, url=url)
    return readout


# --------------------------------------------------------------------------- publication


def _when(moment: dt.datetime, call: CallRequest) -> str:
    try:
        zone = ZoneInfo(call.principal.time_zone)
    except Exception:  # noqa: BLE001
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    return f"{local:%-d %B %Y, %H:%M} {local.tzname()}"


def publication_refusal(readout: Readout, now: dt.datetime) -> str | None:
    """THE publication rule: why the read-out may not be published at ``now``, in words (which
    condition, until when), or None when it may. The latest version must be cleared and not
    yet published, the call COMPLETED with ``completed_at <= now``, and ``now >=
    embargo_until``."""
    call = readout.call
    latest = latest_version(readout)
    if latest is None:
        return "Nothing is drafted yet."
    if latest.published_at is not None:
        return f"Version {latest.number} is published already."
    if latest.cleared_at is None:
        return (
            f"Version {latest.number} is not cleared: the {call.principal.title}'s office must "
            "clear it first."
        )
    if call.state != CallState.COMPLETED or call.completed_at is None:
        when = f" (scheduled for {_when(call.start, call)})" if call.start else ""
        return (
            f"Call {call.tracking} has not ended{when}: it is "
            f"{call.get_state_display().lower()}. A read-out is published only after the call "
            "is completed."
        )
    if call.completed_at > now:
        return f"Call {call.tracking} ends at {_when(call.completed_at, call)}; not before then."
    if readout.embargo_until is not None and now < readout.embargo_until:
        why = f" ({readout.embargo_note})" if readout.embargo_note else ""
        return f"Embargoed until {_when(readout.embargo_until, call)}{why}."
    return None


def may_publish(user: Any, readout: Readout) -> bool:
    return may_act(user, readout.call)


def publish_readout(readout: Readout, *, by: Any) -> ReadoutVersion:
    """Publish the latest version now, if the rule allows it (409 with its words otherwise)."""
    if by is not None:
        require_act(by, readout.call, "publish read-outs")
    with transaction.atomic():
        published = _publish_locked(readout, by)
    if isinstance(published, str):
        raise Conflict(published)
    return published


def _publish_locked(readout: Readout, by: Any) -> ReadoutVersion | str:
    """In the caller's transaction: lock, re-check the rule, publish (the refusal's words
    instead when it does not allow it)."""
    readout = _lock(readout)
    now = clock.now()
    refusal = publication_refusal(readout, now)
    if refusal is not None:
        return refusal
    version = ReadoutVersion.objects.select_for_update().get(
        readout=readout, number=readout.version
    )
    obj = published_object(readout.slug, version, call_date(readout.call))
    digest = digest_of(obj)
    # The claim: only the transaction that moves the version from unpublished publishes it.
    claimed = ReadoutVersion.objects.filter(pk=version.pk, published_at__isnull=True).update(
        published_at=now, digest=digest
    )
    if claimed != 1:
        return f"Version {version.number} is published already."
    version.published_at, version.digest = now, digest
    readout.published_version = version.number
    if readout.first_published_at is None:
        readout.first_published_at = now
    readout.state = Readout.State.PUBLISHED
    readout.save(update_fields=["published_version", "first_published_at", "state"])
    readout_event(readout, "readout.published", by, version=version.number, digest=digest,
                  slug=readout.slug, correction=bool(version.correction_note))
    return version


def due_readouts(now: dt.datetime) -> Any:
    """Cleared read-outs whose call has ended and whose embargo has passed at ``now``."""
    return Readout.objects.filter(
        Q(embargo_until__isnull=True) | Q(embargo_until__lte=now),
        state=Readout.State.CLEARED, call__state=CallState.COMPLETED,
        call__completed_at__lte=now,
    ).order_by("id")


def publish_due() -> int:
    """Publish the cleared read-outs that may now be published; how many were (worker step,
    ``by`` None). Each is claimed under its row lock and the rule re-checked, so two workers
    never publish one twice."""
    count = 0
    for pk in list(due_readouts(clock.now()).values_list("pk", flat=True)):
        with transaction.atomic():
            readout = Readout.objects.filter(pk=pk).first()
            if readout is None:
                continue
            if not isinstance(_publish_locked(readout, None), str):
                count += 1
    return count
