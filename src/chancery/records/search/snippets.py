"""Snippets and highlighting over the ORIGINAL text, the same on both databases.

The text is tokenised by the same normaliser as the index (``normalize.tokens``), each token
with the span of original characters it came from; the tokens the query matches are marked on
those spans. So "gluckwunsche" marks "Glückwünsche" as written, a CJK bigram marks its two
characters, and Arabic or Hebrew keeps its letters and marks whole (the page shows the snippet
with ``dir="auto"``). The output is escaped HTML with ``<mark>`` elements.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from chancery.records.search import normalize


def spans(text: str, q: str) -> list[tuple[int, int]]:
    """The original character spans of ``text`` that ``q`` matches, merged, in order."""
    groups = normalize.query_groups(q)
    exact = {t for g in groups if not g.prefix for t in g.tokens}
    prefixes = [g.tokens[0] for g in groups if g.prefix]
    found: list[tuple[int, int]] = []
    for tok in normalize.tokens(text):
        if tok.text in exact:
            found.append((tok.start, tok.end))
        elif any(tok.text.startswith(p) for p in prefixes):
            # A one-character CJK query: mark only that character of the bigram.
            end = tok.start + 1
            while end < tok.end and not _starts_cluster(text, end):
                end += 1
            found.append((tok.start, end))
    found.sort()
    merged: list[tuple[int, int]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _starts_cluster(text: str, i: int) -> bool:
    import unicodedata

    return unicodedata.category(text[i])[0] != "M"


def _render(text: str, marks: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    pos = start
    for s, e in marks:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def highlight(text: str, q: str) -> SafeString:
    """The whole ``text`` as safe HTML with every match of ``q`` in ``<mark>``."""
    return mark_safe(_render(text, spans(text, q), 0, len(text)))  # noqa: S308 (escaped above)


def snippet(text: str, q: str, width: int = 240) -> SafeString:
    """About ``width`` characters of ``text`` around its first match (its opening when none),
    cut at spaces where there are any, with the matches marked; "…" where text was cut."""
    text = " ".join(text.split())
    marks = spans(text, q)
    if len(text) <= width:
        return mark_safe(_render(text, marks, 0, len(text)))  # noqa: S308
    first = marks[0][0] if marks else 0
    start = max(0, first - width // 3)
    if start > 0:
        space = text.rfind(" ", max(0, start - 20), first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.find(" ", end - 20, end + 20)
        end = space if space > first else end
    html = _render(text, marks, start, end)
    return mark_safe(  # noqa: S308
        ("…" if start > 0 else "") + html + ("…" if end < len(text) else "")
    )
