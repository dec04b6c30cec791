"""Searching the index: the vendor's full-text query, scoped to what the user may read.

FOR BENCH/SEARCH.PY (R7): the SQL of the bare full-text query is ``fts_sql(vendor)``, run by
``match_ids(q, limit)`` with the parameters ``[match_expression(vendor, q), limit]``; the SQL
of a user's search (the same match, joined with the permission and filter subquery, ranked,
one page) is ``search_sql(vendor, scope_sql)``, run by ``search()``. Measure those.

SQLite: ``records_searchdoc_fts MATCH '"tok" "big1 big2"'`` (each word quoted; a CJK run's
bigrams are one quoted phrase, so they match in order), ranked by ``bm25``. PostgreSQL:
``array_to_tsvector(string_to_array(terms, ' ')) @@ %s::tsquery`` with a tsquery written from
our tokens (each quoted and escaped, ``&`` between them, ``:*`` for a one-character CJK
prefix), cast without a parser; ranked by ``ts_rank`` then date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.safestring import SafeString

from chancery.errors import InvalidInput
from chancery.records.models import SearchDoc
from chancery.records.search import normalize

# --------------------------------------------------------------------------- the vendor's query


def match_expression(vendor: str, q: str | list[str]) -> str:
    """The query as the vendor's full-text expression ("" when it has no tokens).

    ``q`` is the user's text (normalised here) or a list of tokens already normalised."""
    if isinstance(q, str):
        groups = normalize.query_groups(q)
    else:
        groups = [normalize.Group((t,)) for t in q if t]
    if not groups:
        return ""
    if vendor == "postgresql":
        parts = []
        for g in groups:
            for tok in g.tokens:
                quoted = "'" + tok.replace("\\", "\\\\").replace("'", "''") + "'"
                parts.append(quoted + (":*" if g.prefix else ""))
        return " & ".join(parts)
    parts = []
    for g in groups:
        phrase = '"' + " ".join(g.tokens).replace('"', '""') + '"'
        parts.append(phrase + ("*" if g.prefix else ""))
    return " ".join(parts)


_PG_VECTOR = "array_to_tsvector(string_to_array({t}.terms, ' '))"


def fts_sql(vendor: str) -> str:
    """The bare full-text query: the ids of the matching documents, best first. Parameters:
    ``[match_expression(vendor, q), limit]``."""
    if vendor == "postgresql":
        vec = _PG_VECTOR.format(t="d")
        return (
            f"SELECT d.id FROM records_searchdoc d WHERE {vec} @@ %s::tsquery "  # noqa: S608
            f"ORDER BY ts_rank({vec}, %s::tsquery) DESC, d.date DESC, d.id DESC LIMIT %s"
        )
    return (
        "SELECT rowid FROM records_searchdoc_fts WHERE records_searchdoc_fts MATCH %s "
        "ORDER BY bm25(records_searchdoc_fts), rowid DESC LIMIT %s"
    )


def _fts_params(vendor: str, expr: str, *rest: Any) -> list[Any]:
    # PostgreSQL names the tsquery twice (the match and the rank).
    return [expr, expr, *rest] if vendor == "postgresql" else [expr, *rest]


def match_ids(q: str | list[str], limit: int = 100) -> list[int]:
    """The ids of the documents matching ``q`` (text, or normalised tokens), best first, with
    no permission scope (the benchmark's query, and the tests' view of the index)."""
    vendor = connection.vendor
    expr = match_expression(vendor, q)
    if not expr:
        return []
    with connection.cursor() as cur:
        cur.execute(fts_sql(vendor), _fts_params(vendor, expr, limit))
        return [row[0] for row in cur.fetchall()]


def search_sql(vendor: str, scope_sql: str, *, count: bool = False) -> str:
    """A user's search: the match, within ``scope_sql`` (a SELECT of the ids of the documents
    the user may read and the filters keep), one page best first (parameters: the match, the
    scope's parameters, limit, offset), or the number of results (``count``: the match and the
    scope's parameters)."""
    if vendor == "postgresql":
        vec = _PG_VECTOR.format(t="d")
        where = f"{vec} @@ %s::tsquery AND d.id IN ({scope_sql})"
        if count:
            return f"SELECT COUNT(*) FROM records_searchdoc d WHERE {where}"  # noqa: S608
        return (
            f"SELECT d.id FROM records_searchdoc d WHERE {where} "  # noqa: S608
            f"ORDER BY ts_rank({vec}, %s::tsquery) DESC, d.date DESC, d.id DESC "
            "LIMIT %s OFFSET %s"
        )
    where = f"records_searchdoc_fts MATCH %s AND rowid IN ({scope_sql})"
    if count:
        return f"SELECT COUNT(*) FROM records_searchdoc_fts WHERE {where}"  # noqa: S608
    return (
        f"SELECT rowid FROM records_searchdoc_fts WHERE {where} "  # noqa: S608
        "ORDER BY bm25(records_searchdoc_fts), rowid DESC LIMIT %s OFFSET %s"
    )


# --------------------------------------------------------------------------- permissions, filters


def readable_q(user: Any) -> Q:
    """The documents ``user`` may read: each type by its own part's rule."""
    from chancery.correspondence.access import readable_messages
    from chancery.correspondence.models import Translation
    from chancery.records.access_readouts import readable_readout_versions
    from chancery.records.access_replies import readable_replies
    from chancery.records.access_telcons import readable_telcons

    def of(doc_type: str, qs: Any) -> Q:
        if not qs.query.where:  # every row of its table (the operations center): no subquery
            return Q(doc_type=doc_type)
        return Q(doc_type=doc_type, subject_id__in=qs.order_by().values("pk"))

    messages = readable_messages(user)
    translations = (
        Translation.objects.all() if not messages.query.where
        else Translation.objects.filter(message__in=messages.values("pk"))
    )
    return (
        of(SearchDoc.Type.MESSAGE, messages)
        | of(SearchDoc.Type.TRANSLATION, translations)
        | of(SearchDoc.Type.TELCON, readable_telcons(user))
        | of(SearchDoc.Type.READOUT, readable_readout_versions(user))
        | of(SearchDoc.Type.REPLY, readable_replies(user))
    )


TYPES = [t.value for t in SearchDoc.Type]
STATES = sorted({
    "received", "triaged", "translation_requested", "translated", "delivered", "acknowledged",
    "rejected", "signed_off", "draft", "reviewed", "approved", "distributed", "cleared",
    "published", "sent",
})


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    items = [value] if isinstance(value, str) else [str(v) for v in value]
    return [v.strip() for item in items for v in item.split(",") if v.strip()]


def _date(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(
            f"{name} {value!r} is not a date; write it as YYYY-MM-DD (e.g. 2020-11-09).",
            field=name,
        ) from None


def _filters(
    principal: str | None, country: str | None, date_from: Any, date_to: Any,
    types: Any, states: Any,
) -> tuple[Q, dict[str, Any]]:
    """The filters as a Q, and their cleaned values (for the form and the page links)."""
    from chancery import clock
    from chancery.directory.access import principal_by_slug

    q = Q()
    clean: dict[str, Any] = {}
    if principal:
        p = principal_by_slug(principal.strip(), field="principal")
        q &= Q(principal_id=p.pk)
        clean["principal"] = p.slug
    if country:
        c = country.strip()
        q &= Q(country__iexact=c)
        clean["country"] = c
    d_from, d_to = _date(date_from, "date_from"), _date(date_to, "date_to")
    if d_from and d_to and d_from > d_to:
        raise InvalidInput(
            f"date_from {d_from} is after date_to {d_to}; swap them.", field="date_from"
        )
    tz = clock.now().tzinfo or dt.UTC
    if d_from:
        q &= Q(date__gte=dt.datetime.combine(d_from, dt.time.min, tzinfo=tz))
        clean["date_from"] = d_from.isoformat()
    if d_to:
        q &= Q(date__lt=dt.datetime.combine(d_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
        clean["date_to"] = d_to.isoformat()
    type_list = _as_list(types)
    bad = [t for t in type_list if t not in TYPES]
    if bad:
        raise InvalidInput(
            f"Unknown type {', '.join(bad)}; the types are {', '.join(TYPES)}.", field="types"
        )
    if type_list:
        q &= Q(doc_type__in=type_list)
        clean["types"] = type_list
    state_list = _as_list(states)
    bad = [s for s in state_list if s not in STATES]
    if bad:
        raise InvalidInput(
            f"Unknown state {', '.join(bad)}; the states are {', '.join(STATES)}.",
            field="states",
        )
    if state_list:
        q &= Q(state__in=state_list)
        clean["states"] = state_list
    return q, clean


# --------------------------------------------------------------------------- search


@dataclass
class Result:
    doc_type: str
    subject_id: int
    title: str
    date: dt.datetime
    state: str
    country: str
    language: str
    snippet: SafeString
    url: str


@dataclass
class SearchPage:
    q: str
    results: list[Result]
    total: int
    page: int
    per_page: int
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def page_numbers(self) -> list[int]:
        """The page numbers to offer: the first, the last and two either side of this one."""
        keep = {1, self.pages, *range(self.page - 2, self.page + 3)}
        return sorted(n for n in keep if 1 <= n <= self.pages)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


MAX_QUERY = 500
MAX_PER_PAGE = 100


def search(
    user: Any, q: str, *, principal: str | None = None, country: str | None = None,
    date_from: Any = None, date_to: Any = None, types: Any = None, states: Any = None,
    page: int = 1, per_page: int = 20, via: str | None = None,
) -> SearchPage:
    """The documents matching ``q`` that ``user`` may read and the filters keep, one page of
    them best first, each with a highlighted snippet of its original text and its page's URL.

    A snippet is content: with ``via`` ("web", "api") each result shown whose content is
    audited (a message or translation, a telcon, an unpublished read-out version, a reply) is
    recorded as a read of part "snippet" (``ledger.reads.record_read``)."""
    from chancery.records.search import snippets

    q = (q or "").strip()
    if len(q) > MAX_QUERY:
        raise InvalidInput(f"The query is {len(q)} characters; at most {MAX_QUERY}.", field="q")
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise InvalidInput("page and per_page are whole numbers.", field="page") from None
    if page < 1:
        raise InvalidInput("page starts at 1.", field="page")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page is between 1 and {MAX_PER_PAGE}.", field="per_page")
    fq, clean = _filters(principal, country, date_from, date_to, types, states)
    vendor = connection.vendor
    expr = match_expression(vendor, q)
    if not expr:
        return SearchPage(q, [], 0, 1, per_page, clean)
    scope = SearchDoc.objects.filter(readable_q(user)).filter(fq).order_by().values("id")
    scope_sql, scope_params = scope.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(search_sql(vendor, scope_sql, count=True), [expr, *scope_params])
        total = int(cur.fetchone()[0])
        page = min(page, max(1, -(-total // per_page)))
        params = [expr, *scope_params, *([expr] if vendor == "postgresql" else [])]
        cur.execute(search_sql(vendor, scope_sql), [*params, per_page, (page - 1) * per_page])
        ids = [row[0] for row in cur.fetchall()]
    docs = SearchDoc.objects.in_bulk(ids)
    urls = _urls([docs[i] for i in ids if i in docs])
    results = [
        Result(
            doc_type=d.doc_type, subject_id=d.subject_id, title=d.title, date=d.date,
            state=d.state, country=d.country, language=d.language,
            snippet=snippets.snippet(d.text, q), url=urls.get(d.pk, ""),
        )
        for d in (docs[i] for i in ids if i in docs)
    ]
    if via is not None:
        _record_snippet_reads(user, [docs[i] for i in ids if i in docs], via)
    return SearchPage(q, results, total, page, per_page, clean)


def _record_snippet_reads(user: Any, docs: list[SearchDoc], via: str) -> None:
    from chancery.correspondence.models import Translation
    from chancery.ledger.reads import record_read
    from chancery.records.models import ReadoutVersion

    trans = dict(Translation.objects.filter(
        pk__in=[d.subject_id for d in docs if d.doc_type == "translation"]
    ).values_list("pk", "message_id"))
    drafts = dict(ReadoutVersion.objects.filter(
        pk__in=[d.subject_id for d in docs if d.doc_type == "readout"], published_at__isnull=True
    ).values_list("pk", "readout_id"))
    seen: set[tuple[str, int, str]] = set()
    for d in docs:
        if d.doc_type == "message":
            key = ("message", d.subject_id, "snippet")
        elif d.doc_type == "translation" and d.subject_id in trans:
            key = ("message", trans[d.subject_id], "translation snippet")
        elif d.doc_type == "readout" and d.subject_id in drafts:
            key = ("readout", drafts[d.subject_id], "snippet")
        elif d.doc_type in ("telcon", "reply"):
            key = (d.doc_type, d.subject_id, "snippet")
        else:
            continue
        if key not in seen:
            seen.add(key)
            record_read(user, key[0], key[1], via=via, part=key[2])


def _reverse(name: str, *args: Any) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _urls(docs: list[SearchDoc]) -> dict[int, str]:
    """Each document's page: a message's (a translation's message's), or the record's own page
    by its tracking number ("" while that part has no page)."""
    from chancery.correspondence.models import Message, Translation
    from chancery.records.models import ReadoutVersion, Reply, Telcon

    def ids(t: str) -> list[int]:
        return [d.subject_id for d in docs if d.doc_type == t]

    trans = dict(
        Translation.objects.filter(pk__in=ids("translation")).values_list("pk", "message_id")
    )
    messages = Message.objects.in_bulk([*ids("message"), *trans.values()])
    telcons = Telcon.objects.in_bulk(ids("telcon"))
    versions = ReadoutVersion.objects.select_related("readout").in_bulk(ids("readout"))
    replies = Reply.objects.in_bulk(ids("reply"))
    out: dict[int, str] = {}
    for d in docs:
        sid, url = d.subject_id, ""
        if d.doc_type == "message" and sid in messages:
            url = _reverse("message_detail", messages[sid].tracking)
        elif d.doc_type == "translation" and trans.get(sid) in messages:
            url = _reverse("message_detail", messages[trans[sid]].tracking)
        elif d.doc_type == "telcon" and sid in telcons:
            url = _reverse("telcon_detail", telcons[sid].tracking)
        elif d.doc_type == "readout" and sid in versions:
            url = _reverse("readout_detail", versions[sid].readout.tracking)
        elif d.doc_type == "reply" and sid in replies:
            url = _reverse("reply_detail", replies[sid].tracking)
        out[d.pk] = url
    return out
