"""Classification markings of a telcon's text (E.O. 13526 §1.6; 32 CFR 2001.21): every
paragraph opens with its portion marking, "(U)", "(C)", "(S)" or "(TS)", none above the overall
level, and the overall level is the highest portion's. ``banner`` is the line printed at the top
and bottom of every page (the level spelled out)."""

from __future__ import annotations

import re

from chancery.records.models import LEVEL_ORDER, Level

PORTION_RE = re.compile(r"^\((U|C|S|TS)\)\s")
"""A paragraph's portion marking: the code in parentheses, then a space or a line break."""

_PARAGRAPHS = re.compile(r"\n[ \t]*\n")

BANNERS = {
    Level.UNCLASSIFIED: "UNCLASSIFIED",
    Level.CONFIDENTIAL: "CONFIDENTIAL",
    Level.SECRET: "SECRET",
    Level.TOP_SECRET: "TOP SECRET",
}


def rank(level: str) -> int:
    """0 for U up to 3 for TS (ValueError for anything else)."""
    return LEVEL_ORDER.index(level)


def banner(level: str) -> str:
    """The banner line of ``level``: "UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"."""
    return BANNERS[Level(level)]


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs (blank-line separated), stripped, empty ones left out."""
    text = str(body or "").replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in _PARAGRAPHS.split(text) if p.strip()]


def portions(body: str) -> list[tuple[str, str]]:
    """Each paragraph as ``(level, text)``: the level of its portion marking ("" when it has
    none) and the paragraph as written (the marking included)."""
    out = []
    for para in paragraphs(body):
        match = PORTION_RE.match(para + " ")
        out.append((match.group(1) if match else "", para))
    return out


def highest(body: str) -> str:
    """The highest portion marking of ``body`` ("U" when it has none)."""
    levels = [level for level, _ in portions(body) if level]
    return max(levels, key=rank) if levels else Level.UNCLASSIFIED.value


def check_portions(body: str, level: str) -> list[str]:
    """What is wrong with ``body``'s portion markings for an overall ``level``: each problem a
    sentence saying how to fix it; empty when the markings are right."""
    problems: list[str] = []
    try:
        top = rank(level)
    except ValueError:
        return [f"The overall level {level!r} is not one of {', '.join(LEVEL_ORDER)}."]
    found = portions(body)
    if not found:
        return ["The body is empty; write the conversation's paragraphs, each opening with its "
                "portion marking such as (U)."]
    for n, (mark, text) in enumerate(found, 1):
        start = text[:40] + ("…" if len(text) > 40 else "")
        if not mark:
            problems.append(
                f"Paragraph {n} ({start!r}) has no portion marking; open it with (U), (C), (S) "
                "or (TS) and a space."
            )
        elif rank(mark) > top:
            problems.append(
                f"Paragraph {n} is marked ({mark}), above the overall level {level}; raise the "
                f"overall level to {mark} or mark the paragraph lower."
            )
    marks = [m for m, _ in found if m]
    if marks and not problems:
        high = max(marks, key=rank)
        if high != level:
            problems.append(
                f"The overall level is {level} but the highest portion is ({high}); the "
                f"overall level must be the highest portion marking ({high})."
            )
    return problems
