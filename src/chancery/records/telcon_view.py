"""What the telcon pages, its PDF and the API show: one place that turns a telcon and a version
into what is displayed (banner, header in the stated zone, caution notice, portions), the
list's filters, and the comparison of two versions (``difflib``, per field and per paragraph)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, QuerySet, Subquery

from chancery.errors import InvalidInput
from chancery.records import markings
from chancery.records.models import Level, Reason, Telcon, TelconVersion
from chancery.records.services import telcons as services


def with_level(qs: QuerySet[Telcon]) -> QuerySet[Telcon]:
    """``qs`` with ``level``: the current version's classification (one subquery)."""
    current = TelconVersion.objects.filter(
        telcon=OuterRef("pk"), number=OuterRef("version")
    ).values("classification")[:1]
    return qs.annotate(level=Subquery(current))


def filtered(qs: QuerySet[Telcon], *, principal: str | None = None, state: str | None = None,
             level: str | None = None) -> QuerySet[Telcon]:
    """The list's filters (a 422 naming the filter for an unknown value)."""
    qs = with_level(qs)
    if state:
        if state not in Telcon.State.values:
            raise InvalidInput(
                f"state {state!r} is unknown; use one of {', '.join(Telcon.State.values)}.",
                field="state",
            )
        qs = qs.filter(state=state)
    if level:
        if level not in Level.values:
            raise InvalidInput(
                f"level {level!r} is unknown; use one of {', '.join(Level.values)}.",
                field="level",
            )
        annotated = "level"  # the annotation (the type checker knows only the model's fields)
        qs = qs.filter(**{annotated: level})
    if principal:
        qs = qs.filter(call__principal__slug=principal)
    return qs.order_by("-created_at", "-id")


def summary(t: Telcon) -> dict[str, Any]:
    """What anyone who may know the telcon exists sees of it."""
    call = t.call
    return {
        "tracking": t.tracking,
        "call": call.tracking,
        "principal": call.principal.slug,
        "polity": call.office.polity,
        "leader": call.office.leader.name if call.office.leader else None,
        "kind": t.kind,
        "regime": t.regime,
        "state": t.state,
        "level": getattr(t, "level", None),
        "version": t.version,
        "created_at": t.created_at,
    }


def _local(value: Any, zone: str) -> Any:
    return value.astimezone(ZoneInfo(zone))


def version_dict(t: Telcon, v: TelconVersion) -> dict[str, Any]:
    """A version as displayed and as the API gives it: its content plus what is printed with
    it (banner, caution notice, the reasons in words, the times in the stated zone)."""
    content = services.version_content(v)
    return {
        "number": v.number,
        "current": v.number == t.version,
        "created_by": v.created_by.get_username(),
        "created_at": v.created_at,
        "change_note": v.change_note,
        "banner": markings.banner(v.classification),
        "caution": services.caution(t.kind),
        "start_local": _local(v.start, v.time_zone),
        "end_local": _local(v.end, v.time_zone),
        "reason_labels": [Reason(r).label for r in v.reasons],
        "portions": markings.portions(v.body),
        **content,
    }


def user_names(ids: list[int]) -> list[str]:
    found = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    return [found.get(pk, f"#{pk}") for pk in ids]


def users_by_name(names: Any, *, field: str) -> list[Any]:
    """Users named by username (or id), in the order given; 422 naming the unknown one."""
    if isinstance(names, str):
        names = names.replace(",", " ").split()
    user_model = get_user_model()
    out = []
    for name in names or []:
        text = str(name).strip()
        if not text:
            continue
        user = user_model.objects.filter(username=text).first()
        if user is None and text.isdigit():
            user = user_model.objects.filter(pk=int(text)).first()
        if user is None:
            raise InvalidInput(f"{field}: no user {text!r}.", field=field)
        out.append(user)
    return out


# --------------------------------------------------------------------------- compare


@dataclass
class Row:
    """One line of a side-by-side comparison: the left and right text, and whether they differ."""

    name: str
    left: str
    right: str
    changed: bool
    left_html: str = ""
    right_html: str = ""


def _fields(v: TelconVersion) -> list[tuple[str, str]]:
    c = services.version_content(v)
    h, k = c["header"], c["classification"]
    return [
        ("Start", f"{_local(v.start, v.time_zone):%Y-%m-%d %H:%M %Z}"),
        ("End", f"{_local(v.end, v.time_zone):%Y-%m-%d %H:%M %Z}"),
        ("Time zone", h["time_zone"]),
        ("Location", h["location"]),
        ("Participants", "\n".join(h["participants"])),
        ("Interpreter", h["interpreter"]),
        ("Note-takers", "\n".join(h["note_takers"])),
        ("Classification", k["level"]),
        ("Classified by", k["classified_by"]),
        ("Reasons", ", ".join(k["reasons"])),
        ("Declassify on", k["declassify_on"] or ""),
    ]


def _marked(a: str, b: str) -> tuple[str, str]:
    """Both texts as HTML with the words ``difflib`` finds removed (left) and added (right)
    wrapped in <del> and <ins>."""
    from django.utils.html import escape

    left, right = a.split(" "), b.split(" ")
    out_l: list[str] = []
    out_r: list[str] = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        l_part, r_part = escape(" ".join(left[i1:i2])), escape(" ".join(right[j1:j2]))
        if op == "equal":
            out_l.append(l_part)
            out_r.append(r_part)
            continue
        if l_part:
            out_l.append(f"<del>{l_part}</del>")
        if r_part:
            out_r.append(f"<ins>{r_part}</ins>")
    return " ".join(out_l), " ".join(out_r)


def compare(a: TelconVersion, b: TelconVersion) -> dict[str, Any]:
    """Versions ``a`` and ``b`` side by side: the header and classification fields, then the
    body's paragraphs aligned by ``difflib.SequenceMatcher`` (a paragraph only on one side has
    an empty other side), each changed pair marked word by word."""
    fields = []
    for (name, left), (_, right) in zip(_fields(a), _fields(b), strict=True):
        lh, rh = _marked(left, right)
        fields.append(Row(name, left, right, left != right, lh, rh))
    pa, pb = markings.paragraphs(a.body), markings.paragraphs(b.body)
    paragraphs: list[Row] = []
    matcher = difflib.SequenceMatcher(a=pa, b=pb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            paragraphs += [Row("", x, x, False) for x in pa[i1:i2]]
            continue
        lefts, rights = pa[i1:i2], pb[j1:j2]
        for n in range(max(len(lefts), len(rights))):
            left = lefts[n] if n < len(lefts) else ""
            right = rights[n] if n < len(rights) else ""
            lh, rh = _marked(left, right)
            paragraphs.append(Row("", left, right, True, lh, rh))
    return {"a": a, "b": b, "fields": fields, "paragraphs": paragraphs,
            "changed": any(r.changed for r in fields + paragraphs)}
