"""The archival export: the records of a period as a BagIt bag (RFC 8493), and its check.

``chancery records export --from D --to D OUT`` (:func:`export_bag`) writes, under ``data/``:

- ``records/<type>/<tracking>.json`` for the messages received in the period, the call
  requests received in it, and the telcons, read-outs and replies created in it: the row's
  fields as JSON (sorted keys, UTF-8, indent 2; private text in clear: this is the archive), its
  parts (a message's signed-off translations and holds, a telcon's versions, reviews and
  distribution list, a read-out's versions, a call's contact attempts), and its ``events``:
  kind, time, actor, data (private fields in clear), salt, the log leaf (base64), its index in
  the log and its RFC 9162 inclusion proof against the bag's checkpoint;
- ``log/checkpoint``: the log's signed checkpoint the proofs are against (the log head once
  every pending event was integrated); ``log/key``: the log's verifier key.

The period is a range of calendar days in the installation's zone (``TIME_ZONE``), both days
included. Exporting is reading: every record exported is recorded in the access audit
(``via="export"``, ``part="archive"``) as read by the records officer or admin running it.
Pending events are integrated first (as ``chancery log integrate`` does), so every event in the
bag has a proof. The bag is built in a temporary folder beside OUT and renamed at the end: a
failure half-way leaves no partial bag.

:func:`verify_bag` checks a bag with the bagit library (checksums), then the checkpoint's
signature with the given key (or the bag's own), then every event (its leaf rebuilt from kind,
data and salt; the leaf's inclusion proof against the checkpoint's root), then each record's
fields against what its events say. The proofs are the ledger's (``merkle``, ``note``,
``sequencer.proof_reader``): nothing here re-implements RFC 9162.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import bagit
from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import require_role
from chancery.errors import InvalidInput
from chancery.ledger import merkle, note
from chancery.ledger.models import Event
from chancery.ledger.reads import record_read
from chancery.ledger.sequencer import ensure_head, integrate_all, proof_reader, served
from chancery.ledger.services import actor_text, build_leaf, history, leaf_time

Progress = Callable[[str, int, int], object]
"""``progress(stage, done, total)``: stage "reading" (records read, events gathered) then
"proving" (inclusion proofs computed, files written)."""

TYPES = ("messages", "calls", "telcons", "readouts", "replies")
"""The folders under ``data/records/``, in the order they are exported."""

SUBJECT_TYPE = {
    "messages": "message", "calls": "call", "telcons": "telcon", "readouts": "readout",
    "replies": "reply",
}


@dataclass
class ExportReport:
    out: Path
    date_from: dt.date
    date_to: dt.date
    counts: dict[str, int]
    events: int
    log_origin: str
    log_size: int
    integrated: int
    """Pending events integrated into the log before the export."""

    @property
    def records(self) -> int:
        return sum(self.counts.values())


@dataclass
class VerifyReport:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    events: int = 0
    log_origin: str = ""
    log_size: int = 0
    key: str = ""
    key_given: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def records(self) -> int:
        return sum(self.counts.values())


# --------------------------------------------------------------------------- the period


def parse_day(value: str, name: str) -> dt.date:
    """A calendar day given as YYYY-MM-DD, or InvalidInput naming the option."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"{name} {value!r} is not a date: give a day as YYYY-MM-DD, such as 2020-11-23.",
            field=name,
        ) from None


def period_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of date_from, start of the day after date_to) in the installation's zone."""
    if date_from > date_to:
        raise InvalidInput(
            f"--from {date_from} is after --to {date_to}: give the earlier day first.",
            field="from",
        )
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start, end


# --------------------------------------------------------------------------- rows as JSON


class _Users:
    """User ids to usernames, one query per new id set."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}

    def __call__(self, user_id: int | None) -> dict[str, Any] | None:
        if user_id is None:
            return None
        if user_id not in self.names:
            self.names[user_id] = (
                User.objects.filter(pk=user_id).values_list("username", flat=True).first() or ""
            )
        return {"id": user_id, "username": self.names[user_id]}


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _fields(obj: models.Model, users: _Users, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Every concrete field of the row; a user is {id, username}, another row its id."""
    out: dict[str, Any] = {}
    omitted = set(skip)
    for f in obj._meta.concrete_fields:
        if f.name in omitted:
            continue
        value = getattr(obj, f.attname)
        if f.is_relation and f.related_model is User:
            out[f.name] = users(value)
        elif f.is_relation:
            out[f.attname] = value
        else:
            out[f.name] = _value(value)
    return out


def _events(subject_type: str, pk: int, users: _Users) -> list[dict[str, Any]]:
    """The subject's events as the bag holds them (index and proof added once proven)."""
    return [
        {
            "id": e.pk, "kind": e.kind, "at": leaf_time(e.at), "actor": users(e.actor_id),
            "data": e.data, "salt": e.salt, "leaf": base64.b64encode(bytes(e.leaf)).decode(),
        }
        for e in history(subject_type, pk)
    ]


def _message(message: Any, users: _Users) -> dict[str, Any]:
    from chancery.correspondence.models import Translation

    return {
        "type": "message",
        "tracking": message.tracking,
        "principal": message.principal.slug,
        "sender_office": str(message.sender_office),
        "record": _fields(message, users),
        "attachments": [
            {"filename": a.filename, "sha256": a.blob_id, "size": a.blob.size,
             "content_type": a.blob.content_type}
            for a in message.attachments.select_related("blob").order_by("id")
        ],
        "translations": [
            _fields(t, users)
            for t in message.translations.filter(status=Translation.Status.SIGNED_OFF)
        ],
        "holds": [_fields(h, users) for h in message.holds.all()],
    }


def _call(call: Any, users: _Users) -> dict[str, Any]:
    return {
        "type": "call",
        "tracking": call.tracking,
        "principal": call.principal.slug,
        "office": str(call.office),
        "record": _fields(call, users),
        "attempts": [_fields(a, users) for a in call.attempts.order_by("id")],
    }


def _telcon(telcon: Any, users: _Users) -> dict[str, Any]:
    return {
        "type": "telcon",
        "tracking": telcon.tracking,
        "call": telcon.call.tracking,
        "principal": telcon.call.principal.slug,
        "record": _fields(telcon, users),
        "versions": [_fields(v, users) for v in telcon.versions.order_by("number")],
        "reviews": [_fields(r, users) for r in telcon.reviews.order_by("id")],
        "distribution": [_fields(r, users) for r in telcon.recipients.order_by("id")],
    }


def _readout(readout: Any, users: _Users) -> dict[str, Any]:
    from chancery.records.services.readouts import call_date

    return {
        "type": "readout",
        "tracking": readout.tracking,
        "call": readout.call.tracking,
        "call_date": call_date(readout.call).isoformat(),
        "principal": readout.call.principal.slug,
        "record": _fields(readout, users),
        "versions": [_fields(v, users) for v in readout.versions.order_by("number")],
    }


def _reply(reply: Any, users: _Users) -> dict[str, Any]:
    return {
        "type": "reply",
        "tracking": reply.tracking,
        "message": reply.message.tracking,
        "principal": reply.message.principal.slug,
        "record": _fields(reply, users),
    }


def _querysets(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    from chancery.calls.models import CallRequest
    from chancery.correspondence.models import Message
    from chancery.records.models import Readout, Reply, Telcon

    return {
        "messages": Message.objects.filter(received_at__gte=start, received_at__lt=end)
        .select_related("principal", "sender_office").order_by("received_at", "id"),
        "calls": CallRequest.objects.filter(received_at__gte=start, received_at__lt=end)
        .select_related("principal", "office").order_by("received_at", "id"),
        "telcons": Telcon.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("call__principal").order_by("created_at", "id"),
        "readouts": Readout.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("call__principal").order_by("created_at", "id"),
        "replies": Reply.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("message__principal").order_by("created_at", "id"),
    }


SERIALIZE: dict[str, Callable[[Any, _Users], dict[str, Any]]] = {
    "messages": _message, "calls": _call, "telcons": _telcon, "readouts": _readout,
    "replies": _reply,
}


def _dump(obj: Any) -> bytes:
    return (json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode()


# --------------------------------------------------------------------------- export


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput(
            f"{out} already exists and is not an empty folder: a bag is never written over "
            "another; give a new folder.",
            field="out",
        )
    if out.parent.exists() and not out.parent.is_dir():
        raise InvalidInput(f"{out.parent} is not a folder.", field="out")


def export_bag(
    date_from: dt.date,
    date_to: dt.date,
    out: Path | str,
    *,
    by: Any,
    progress: Progress | None = None,
) -> ExportReport:
    """Write the records of ``date_from``..``date_to`` (both included) as a BagIt bag at
    ``out`` (a new or empty folder). ``by``: the records officer or admin exporting; every
    record exported is recorded as read by them (via "export")."""
    out = Path(out)
    require_role(by, Role.RECORDS_OFFICER, Role.ADMIN, action="export the records")
    start, end = period_bounds(date_from, date_to)
    _check_out(out)
    sets = _querysets(start, end)
    total = sum(qs.count() for qs in sets.values())
    users = _Users()
    gathered: list[tuple[str, dict[str, Any]]] = []
    done = 0
    if progress:
        progress("reading", 0, total)
    for folder in TYPES:
        subject_type = SUBJECT_TYPE[folder]
        for obj in sets[folder].iterator(chunk_size=200):
            with transaction.atomic():
                record_read(by, subject_type, obj.pk, via="export", part="archive")
                item = SERIALIZE[folder](obj, users)
                item["events"] = _events(subject_type, obj.pk, users)
            gathered.append((folder, item))
            done += 1
            if progress:
                progress("reading", done, total)

    # Every event read above was committed before this integration: all of them are in the log
    # at the head it leaves, whatever a concurrent sequencer does.
    integrated = integrate_all()
    head = ensure_head()
    ids = [e["id"] for _, item in gathered for e in item["events"]]
    seqs: dict[int, int | None] = {}
    for chunk in range(0, len(ids), 500):
        seqs.update(
            Event.objects.filter(pk__in=ids[chunk : chunk + 500]).values_list("id", "seq")
        )
    late = [i for i in ids if seqs.get(i) is None or (seqs[i] or 0) >= head.size]
    if late:
        raise InvalidInput(
            f"{len(late)} event(s) of these records are still pending after integration: run "
            "`chancery log integrate` (or check the sequencer with `chancery status`) and export "
            "again.",
            field="log",
        )
    reader = proof_reader(head) if head.size else None
    checkpoint = served(head)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    counts = dict.fromkeys(TYPES, 0)
    try:
        tmp.mkdir()
        for n, (folder, item) in enumerate(gathered, 1):
            for event in item["events"]:
                index = seqs[event["id"]]
                assert reader is not None and index is not None
                event["index"] = index
                event["proof"] = [
                    base64.b64encode(h).decode() for h in reader.inclusion_proof(index)
                ]
            target = tmp / "records" / folder / f"{item['tracking']}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_dump(item))
            counts[folder] += 1
            if progress:
                progress("proving", n, total)
        (tmp / "log").mkdir()
        (tmp / "log" / "checkpoint").write_text(checkpoint, encoding="utf-8")
        (tmp / "log" / "key").write_text(head.vkey + "\n", encoding="utf-8")
        described = ", ".join(f"{counts[f]} {f}" for f in TYPES)
        zone = settings.TIME_ZONE
        info = {
            "Source-Organization": f"Chancery ({head.origin})",
            "Bagging-Date": clock.now().date().isoformat(),
            "External-Description": (
                f"Records of {date_from.isoformat()} to {date_to.isoformat()} ({zone}, both "
                f"days included): {described}; with the transparency log's checkpoint and an "
                "inclusion proof for every event."
            ),
            "External-Identifier": f"chancery-records-{date_from.isoformat()}-"
            f"{date_to.isoformat()}",
            "Chancery-Period-From": date_from.isoformat(),
            "Chancery-Period-To": date_to.isoformat(),
            "Chancery-Period-Zone": zone,
            "Chancery-Record-Count": str(sum(counts.values())),
            **{f"Chancery-{f.capitalize()}": str(counts[f]) for f in TYPES},
            "Chancery-Event-Count": str(len(ids)),
            "Chancery-Exported-By": by.get_username(),
            "Chancery-Log-Origin": head.origin,
            "Chancery-Log-Size": str(head.size),
        }
        bagit.make_bag(str(tmp), bag_info=info, checksums=["sha256", "sha512"])
        if out.exists():
            out.rmdir()  # empty (checked above)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ExportReport(
        out=out, date_from=date_from, date_to=date_to, counts=counts, events=len(ids),
        log_origin=head.origin, log_size=head.size, integrated=integrated,
    )


# --------------------------------------------------------------------------- verify


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values; two times are equal when they name the same instant."""
    if a == b:
        return True
    if isinstance(a, str) and isinstance(b, str):
        try:
            ta, tb = dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)
        except ValueError:
            return False
        if (ta.tzinfo is None) != (tb.tzinfo is None):
            return False
        return ta == tb
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return False


def _sha(salt: str, text: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + text.encode()).hexdigest()


def _of(events: list[dict[str, Any]], kind: str, **match: Any) -> list[dict[str, Any]]:
    return [
        e for e in events
        if e.get("kind") == kind
        and all((e.get("data") or {}).get(k) == v for k, v in match.items())
    ]


def _compare_content(
    content: Any, row: dict[str, Any], what: str, needed: str
) -> list[str]:
    """The fields of a version against the ``content`` its event committed to (keys both
    carry; ``needed`` must be among them)."""
    if not isinstance(content, dict):
        return [f"{what}: its event carries no content to compare"]
    shared = [k for k in content if k in row]
    if needed not in shared:
        return [f"{what}: its event's content has no {needed!r} to compare"]
    return [
        f"{what}: {k} differs from its event's content" for k in sorted(shared)
        if not _same(content[k], row[k])
    ]


def _check_message(item: dict[str, Any]) -> list[str]:
    rec, events, problems = item["record"], item["events"], []
    salt, body = rec.get("salt") or "", rec.get("body") or ""
    try:
        if _sha(salt, body) != rec.get("commitment"):
            problems.append("the message's text does not match its commitment "
                            "(SHA-256 of salt and text)")
        if hashlib.sha256(body.encode()).hexdigest() != rec.get("body_sha256"):
            problems.append("the message's text does not match its body_sha256")
        received = _of(events, "message.received")
        if not received:
            problems.append("no message.received event")
        elif received[0]["data"].get("commitment") != rec.get("commitment"):
            problems.append("the commitment differs from the one message.received logged")
        for t in item.get("translations", []):
            signed = _of(events, "translation.signed_off", translation=t.get("id"))
            if not signed:
                problems.append(f"translation {t.get('id')}: no translation.signed_off event")
            elif signed[-1]["data"].get("commitment") != _sha(salt, t.get("text") or ""):
                problems.append(f"translation {t.get('id')}: its text differs from the one "
                                "signed off (commitment)")
    except ValueError:
        problems.append("the message's salt is not hexadecimal")
    return problems


def _check_call(item: dict[str, Any]) -> list[str]:
    # (A call without its call.requested event is ``chancery verify``'s finding, not the bag's.)
    requested = _of(item["events"], "call.requested")
    if requested and requested[0]["data"].get("purpose") != item["record"].get("purpose"):
        return ["the call's purpose differs from the one call.requested logged"]
    return []


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}{k}."))
        return out
    return {prefix.rstrip("."): value}


def _check_telcon(item: dict[str, Any]) -> list[str]:
    from chancery.records.services.telcons import version_content

    problems: list[str] = []
    events = item["events"]
    for v in item.get("versions", []):
        number = v.get("number")
        found = _of(events, "telcon.drafted", version=number) + _of(
            events, "telcon.revised", version=number
        )
        what = f"version {number}"
        if not found:
            problems.append(f"{what}: no telcon.drafted or telcon.revised event")
            continue
        try:
            row = {
                **v, "start": dt.datetime.fromisoformat(v["start"]),
                "end": dt.datetime.fromisoformat(v["end"]),
                "declassify_on": dt.date.fromisoformat(v["declassify_on"])
                if v.get("declassify_on") else None,
            }
            expected = _flat(version_content(row))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{what}: malformed version ({exc!r})")
            continue
        logged = _flat(found[-1]["data"].get("content"))
        differ = sorted(k for k in set(expected) | set(logged)
                        if not _same(expected.get(k), logged.get(k)))
        problems += [f"{what}: {k} differs from its event's content" for k in differ]
    return problems


def _check_readout(item: dict[str, Any]) -> list[str]:
    from chancery.records.services.readouts import digest_of, published_object

    problems: list[str] = []
    events = item["events"]
    for v in item.get("versions", []):
        number = v.get("number")
        what = f"version {number}"
        drafted = _of(events, "readout.drafted", version=number)
        if not drafted:
            problems.append(f"{what}: no readout.drafted event")
        else:
            problems += _compare_content(drafted[-1]["data"].get("content"), v, what, "body")
        if v.get("published_at"):
            published = _of(events, "readout.published", version=number)
            if not published:
                problems.append(f"{what}: published, but no readout.published event")
            elif published[-1]["data"].get("digest") != v.get("digest"):
                problems.append(f"{what}: digest differs from the one readout.published logged")
            obj = published_object(str(item["record"].get("slug")), v, str(item.get("call_date")))
            if digest_of(obj) != v.get("digest"):
                problems.append(f"{what}: its text is not the published text (the digest of "
                                "its title, body and note differs)")
    return problems


def _check_reply(item: dict[str, Any]) -> list[str]:
    rec, events, problems = item["record"], item["events"], []
    drafted = _of(events, "reply.drafted", version=rec.get("version"))
    if not drafted:
        problems.append(f"no reply.drafted event of version {rec.get('version')}")
    elif drafted[-1]["data"].get("text") != rec.get("body"):
        problems.append("the reply's text differs from the one reply.drafted logged")
    if rec.get("sent_at"):
        sent = _of(events, "reply.sent")
        if not sent:
            problems.append("sent, but no reply.sent event")
        elif sent[-1]["data"].get("text") != rec.get("body"):
            problems.append("the reply's text differs from the one reply.sent logged")
    return problems


CHECK: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "messages": _check_message, "calls": _check_call, "telcons": _check_telcon,
    "readouts": _check_readout, "replies": _check_reply,
}


def _check_event(
    event: dict[str, Any], subject_type: str, pk: int, cp: note.Checkpoint | None
) -> str | None:
    """What is wrong with one event of a record file, or None."""
    try:
        leaf = base64.b64decode(event["leaf"], validate=True)
        actor = event.get("actor")
        rebuilt = build_leaf(
            event["kind"], subject_type, pk, event["at"],
            actor_text(actor["id"]) if actor else None, event["data"], event.get("salt") or "",
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        return f"malformed ({exc})"
    if rebuilt != leaf:
        return "its leaf is not the one its kind, time, actor, data and salt make"
    if cp is None:
        return None
    index, hashes = event.get("index"), event.get("proof")
    if not isinstance(index, int) or not isinstance(hashes, list):
        return "no log index or inclusion proof"
    try:
        path = [base64.b64decode(h, validate=True) for h in hashes]
    except (binascii.Error, ValueError, TypeError):
        return "its inclusion proof is not base64"
    if not merkle.verify_inclusion(index, cp.size, merkle.leaf_hash(leaf), path, cp.root):
        return (f"its inclusion proof does not bind its leaf to index {index} of the "
                f"checkpoint (size {cp.size})")
    return None


def verify_bag(path: Path | str, *, key: str | None = None) -> VerifyReport:
    """Check a bag written by :func:`export_bag`; the report lists every problem found, each
    naming its file. ``key``: the log's verifier key the archive was given (the bag's own
    ``log/key`` must be the same); without it the bag's key is used."""
    path = Path(path)
    report = VerifyReport(path=path, key_given=key is not None)
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as exc:
        report.problems.append(f"{path}: not a BagIt bag: {exc}")
        return report
    try:
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        details = getattr(exc, "details", None) or []
        if details:
            report.problems += [str(d) for d in details]
        else:
            report.problems.append(str(exc))
    except bagit.BagError as exc:
        report.problems.append(str(exc))

    data = path / "data"
    key_file, cp_file = data / "log" / "key", data / "log" / "checkpoint"
    try:
        bag_key = key_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        bag_key = ""
        report.problems.append(f"data/log/key: cannot read it ({exc})")
    if key is not None and bag_key and key.strip() != bag_key:
        report.problems.append(
            f"data/log/key: the bag's key {bag_key} is not the key given {key.strip()}"
        )
    report.key = (key or bag_key).strip()
    cp: note.Checkpoint | None = None
    try:
        verifier = note.Verifier.from_text(report.key)
        text = cp_file.read_text(encoding="utf-8")
        cp, _ = note.open_checkpoint(text, verifier)
        report.log_origin, report.log_size = cp.origin, cp.size
    except note.NoteError as exc:
        what = "the key given" if key is not None else "data/log/key"
        report.problems.append(f"data/log/checkpoint: does not verify with {what}: {exc}")
    except (OSError, UnicodeDecodeError) as exc:
        report.problems.append(f"data/log/checkpoint: cannot read it ({exc})")
    if cp is None:
        report.problems.append(
            "the inclusion proofs were not checked: there is no checkpoint to check them against"
        )
    info = bag.info
    if cp is not None:
        if info.get("Chancery-Log-Size") != str(cp.size):
            report.problems.append(
                f"bag-info.txt: Chancery-Log-Size {info.get('Chancery-Log-Size')!r} is not the "
                f"checkpoint's size {cp.size}"
            )
        if info.get("Chancery-Log-Origin") != cp.origin:
            report.problems.append(
                f"bag-info.txt: Chancery-Log-Origin {info.get('Chancery-Log-Origin')!r} is not "
                f"the checkpoint's origin {cp.origin}"
            )

    for folder in TYPES:
        files = sorted((data / "records" / folder).glob("*.json"))
        report.counts[folder] = len(files)
        subject_type = SUBJECT_TYPE[folder]
        for file in files:
            name = file.relative_to(path).as_posix()
            try:
                item = json.loads(file.read_text(encoding="utf-8"))
                pk = item["record"]["id"]
                events = item["events"]
                if not isinstance(pk, int) or not isinstance(events, list):
                    raise TypeError("id or events of the wrong type")
            except (OSError, ValueError, KeyError, TypeError) as exc:
                report.problems.append(f"{name}: not a record file ({exc})")
                continue
            if item.get("type") != subject_type or f"{item.get('tracking')}.json" != file.name:
                report.problems.append(f"{name}: its type or tracking number is not its name's")
            for event in events:
                report.events += 1
                if not isinstance(event, dict):
                    report.problems.append(f"{name}: an event is not an object")
                    continue
                problem = _check_event(event, subject_type, pk, cp)
                if problem:
                    report.problems.append(
                        f"{name}: event {event.get('kind', '?')} (index "
                        f"{event.get('index', '?')}): {problem}"
                    )
            try:
                report.problems += [f"{name}: {p}" for p in CHECK[folder](item)]
            except (KeyError, TypeError, AttributeError) as exc:
                report.problems.append(f"{name}: malformed record ({exc!r})")
    return report
