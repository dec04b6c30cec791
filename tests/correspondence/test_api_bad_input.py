"""Bad input to the API (issue 2, section 9).

Every case gets a 4xx JSON answer ``{"error": ..., "detail": ...}`` whose detail names the
problem, and leaves nothing written: the counts of messages, events, holds, attachments, blobs,
translations and content reads are the same after the request as before it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chancery.correspondence.models import (
    Attachment,
    Blob,
    Hold,
    Message,
    Translation,
)
from chancery.ledger.models import Event, Read

MODELS = (Message, Event, Hold, Attachment, Blob, Translation, Read)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 200
PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8"
    + b"\x00" * 43
    + b"\x80\x00\x00\x00"
    + b"\x00" * 64
    + b"PE\x00\x00\x4c\x01\x03\x00"
    + b"\x00" * 200
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def call(client: Client, token_for: Callable[[User], str]) -> Callable[..., Any]:
    """``call(user, method, path, json=..., raw=..., **headers)`` -> response (Django client)."""
    tokens: dict[int, str] = {}

    def _call(
        user: User,
        method: str,
        path: str,
        json_body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json",
        **headers: str,
    ) -> Any:
        if user.pk not in tokens:
            tokens[user.pk] = token_for(user)
        extra = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}
        extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
        data: Any = (
            raw if raw is not None else (json.dumps(json_body) if json_body is not None else b"")
        )
        fn = getattr(client, method.lower())
        return fn(f"/api/v1{path}", data=data, content_type=content_type, **extra)

    return _call


@pytest.fixture
def good(world: dict[str, Any]) -> dict[str, Any]:
    """A valid submission from Canada's liaison."""
    return {
        "principal": "president-elect",
        "sender_office": world["pm_ca"].pk,
        "channel": "api",
        "subject": "Congratulations",
        "body": "Congratulations on your election.",
        "language": "en",
    }


def assert_refused(
    response: Any, status: int | tuple[int, ...], *words: str, before: dict[str, int]
) -> dict[str, Any]:
    """A 4xx JSON error naming the problem, and nothing written."""
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    payload = response.json()
    assert isinstance(payload, dict), payload
    assert isinstance(payload.get("error"), str) and payload["error"], payload
    assert isinstance(payload.get("detail"), str) and payload["detail"], payload
    for word in words:
        assert word.lower() in payload["detail"].lower(), (word, payload["detail"])
    assert counts() == before, "a refused request wrote something"
    return payload


# --------------------------------------------------------------------------- the request body


def test_empty_request_body(call: Any, people: dict[str, User]) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", raw=b"")
    assert_refused(r, (400, 422), "empty", before=before)


@pytest.mark.parametrize("text", ["", "   ", "\n\t \u3000\n"])
def test_empty_message_text(
    call: Any, people: dict[str, User], good: dict[str, Any], text: str
) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "body": text})
    assert_refused(r, 422, "body", "empty", before=before)


def test_oversized_message_text(
    call: Any, people: dict[str, User], good: dict[str, Any], settings: Any
) -> None:
    settings.CHANCERY_MAX_BODY_CHARS = 50
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "body": "é" * 51})
    assert_refused(r, 413, "body", "51", "50", before=before)
    # the limit itself is fine
    assert (
        call(people["liaison_ca"], "post", "/messages", {**good, "body": "é" * 50}).status_code
        == 201
    )


def test_oversized_request_is_refused_before_parsing(
    call: Any, people: dict[str, User], good: dict[str, Any], settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "body": "x" * 2000})
    assert_refused(r, 413, "1,000", before=before)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b'{"principal": "president-elect", "body": "hi"', ("json", "line 1")),
        (b"{'principal': 'president-elect'}", ("json", "double quotes")),
        (b'{"body": "hi",}', ("json",)),
        (b"principal=president-elect&body=hi", ("json",)),
        (b"<message><body>hi</body></message>", ("json",)),
        (b'{"body": NaN}', ("json", "nan")),
        (b"[" * 100_000, ("json",)),
    ],
    ids=["truncated", "single-quotes", "trailing-comma", "form-encoded", "xml", "nan", "deep"],
)
def test_malformed_json(call: Any, people: dict[str, User], raw: bytes, words: tuple[str]) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", raw=raw)
    assert_refused(r, 400, *words, before=before)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"[]", "array"),
        (b'[{"principal": "president-elect"}]', "array"),
        (b'"a letter"', "string"),
        (b"42", "number"),
        (b"null", "null"),
        (b"true", "boolean"),
    ],
)
def test_json_that_is_not_an_object(
    call: Any, people: dict[str, User], raw: bytes, kind: str
) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", raw=raw)
    assert_refused(r, (400, 422), "object", kind, before=before)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"principal": "president-elect", "sender_office": 1, "body": "caf\xe9"}',  # latin-1
        b'{"principal": "president-elect", "sender_office": 1, "body": "\xed\xa0\x80"}',  # surrog.
        b'{"principal": "president-elect", "sender_office": 1, "body": "\xc3"}',  # truncated
        b"\xff\xfe{\x00}\x00",  # UTF-16 with BOM
    ],
    ids=["latin-1", "surrogate", "truncated-sequence", "utf-16"],
)
def test_invalid_utf8(call: Any, people: dict[str, User], raw: bytes) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", raw=raw)
    assert_refused(r, 400, "utf-8", before=before)


def test_utf8_byte_order_mark_is_accepted(
    call: Any, people: dict[str, User], good: dict[str, Any]
) -> None:
    raw = "\ufeff".encode() + json.dumps(good, ensure_ascii=False).encode()
    r = call(people["liaison_ca"], "post", "/messages", raw=raw)
    assert r.status_code == 201, r.content


def test_missing_required_fields(call: Any, people: dict[str, User]) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {"subject": "no body"})
    payload = assert_refused(r, 422, "principal", "sender_office", "body", before=before)
    assert "required" in payload["detail"].lower()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sender_office", "Canada"),
        ("sender_office", [1]),
        ("sender_office", 1.5),
        ("body", 123),
        ("body", {"text": "hello"}),
        ("principal", ["president-elect"]),
        ("subject", False),
        ("attachments", "letter.pdf"),
        ("attachments", [{"filename": "letter.pdf"}]),
        ("language", 7),
    ],
)
def test_wrong_types(
    call: Any, people: dict[str, User], good: dict[str, Any], field: str, value: Any
) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, field: value})
    assert_refused(r, 422, field, before=before)


@pytest.mark.parametrize("office", [0, -1, 2**63, 10**30])
def test_out_of_range_office_id(
    call: Any, people: dict[str, User], good: dict[str, Any], office: int
) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "sender_office": office})
    payload = assert_refused(r, (404, 422), before=before)
    assert payload.get("field") == "sender_office", payload


def test_nul_character_in_text(call: Any, people: dict[str, User], good: dict[str, Any]) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "body": "a\x00b"})
    assert_refused(r, 422, "body", "nul", before=before)


# --------------------------------------------------------------------------- who and to whom


def test_unknown_principal(call: Any, people: dict[str, User], good: dict[str, Any]) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "principal": "prime-minister"})
    payload = assert_refused(r, 404, "prime-minister", "president-elect", before=before)
    assert payload.get("field") == "principal"


@pytest.mark.parametrize("slug", ["", "president elect", "président", "x" * 51, "a\x00b", "../x"])
def test_malformed_principal(
    call: Any, people: dict[str, User], good: dict[str, Any], slug: str
) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "principal": slug})
    assert_refused(r, (404, 422), "principal", before=before)


def test_unknown_sender_office(call: Any, people: dict[str, User], good: dict[str, Any]) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "sender_office": 987654})
    payload = assert_refused(r, 404, "987654", "/api/v1/offices", before=before)
    assert payload.get("field") == "sender_office"


def test_liaison_posting_for_another_country(
    call: Any, people: dict[str, User], good: dict[str, Any], world: dict[str, Any]
) -> None:
    before = counts()
    r = call(
        people["liaison_ca"], "post", "/messages", {**good, "sender_office": world["pres_fr"].pk}
    )
    assert_refused(r, 403, "France", "Canada", before=before)


def test_non_submitter_cannot_submit(
    call: Any, people: dict[str, User], good: dict[str, Any]
) -> None:
    before = counts()
    for who in ("translator", "staffer", "auditor"):
        r = call(people[who], "post", "/messages", good)
        assert_refused(r, 403, "liaison", before=before)


@pytest.mark.parametrize("channel", ["fax", "", "API", "carrier pigeon"])
def test_unknown_channel(
    call: Any, people: dict[str, User], good: dict[str, Any], channel: str
) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "channel": channel})
    assert_refused(r, 422, "channel", "portal", before=before)


def test_liaison_cannot_claim_a_letter(
    call: Any, people: dict[str, User], good: dict[str, Any]
) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "channel": "letter"})
    payload = assert_refused(r, 422, "letter", "portal", before=before)
    assert payload.get("field") == "channel"


@pytest.mark.parametrize("language", ["xx", "french", "fra1", "e", "zz-ZZ"])
def test_bad_language_code(
    call: Any, people: dict[str, User], good: dict[str, Any], language: str
) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "language": language})
    assert_refused(r, 422, "language", "ISO 639-1", before=before)


def test_overlong_subject(call: Any, people: dict[str, User], good: dict[str, Any]) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "subject": "s" * 301})
    assert_refused(r, (413, 422), "subject", "300", before=before)


@pytest.mark.parametrize("key", ["", "   ", "k" * 201])
def test_bad_idempotency_key(
    call: Any, people: dict[str, User], good: dict[str, Any], key: str
) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", good, **{"Idempotency-Key": key})
    assert_refused(r, 422, "Idempotency-Key", before=before)


# --------------------------------------------------------------------------- attachments


def test_oversized_attachment(
    call: Any, people: dict[str, User], good: dict[str, Any], settings: Any
) -> None:
    settings.CHANCERY_MAX_ATTACHMENT_BYTES = 64
    before = counts()
    big = PDF + b"%" * 64
    r = call(
        people["liaison_ca"],
        "post",
        "/messages",
        {**good, "attachments": [{"filename": "letter.pdf", "content_base64": b64(big)}]},
    )
    assert_refused(r, 413, "letter.pdf", "64 bytes", before=before)


@pytest.mark.parametrize(
    ("filename", "data", "words"),
    [
        ("letter.pdf", ELF, ("letter.pdf", "executable")),
        ("letter.pdf", PE, ("letter.pdf", "executable")),
        ("letter.pdf", PNG, ("letter.pdf", "image/png", "rename")),
        ("letter.txt", PDF, ("letter.txt", "application/pdf")),
        ("letter.pdf", b"#!/bin/sh\nrm -rf /\n", ("letter.pdf", "text/plain")),
        ("letter.pdf", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40, ("letter.pdf",)),
        ("letter.pdf", b"", ("letter.pdf", "empty")),
        ("", PDF, ("name",)),
        ("..", PDF, ("name",)),
    ],
    ids=[
        "elf",
        "pe",
        "png-as-pdf",
        "pdf-as-txt",
        "script-as-pdf",
        "zip",
        "empty",
        "no-name",
        "dotdot",
    ],
)
def test_disguised_or_unusable_attachment(
    call: Any,
    people: dict[str, User],
    good: dict[str, Any],
    filename: str,
    data: bytes,
    words: tuple[str, ...],
) -> None:
    before = counts()
    r = call(
        people["liaison_ca"],
        "post",
        "/messages",
        {
            **good,
            "attachments": [
                {"filename": "annex.pdf", "content_base64": b64(PDF)},  # a good one first
                {"filename": filename, "content_base64": b64(data)},
            ],
        },
    )
    payload = assert_refused(r, 422, *words, before=before)
    assert str(payload.get("field")).startswith("attachments"), payload


@pytest.mark.parametrize("content", ["not base64!", "QUJD=", "QQ", "😀", "QUJD\x00"])
def test_bad_base64(call: Any, people: dict[str, User], good: dict[str, Any], content: str) -> None:
    before = counts()
    r = call(
        people["liaison_ca"],
        "post",
        "/messages",
        {**good, "attachments": [{"filename": "letter.pdf", "content_base64": content}]},
    )
    assert_refused(r, 422, "base64", before=before)


def test_too_many_attachments(
    call: Any, people: dict[str, User], good: dict[str, Any], settings: Any
) -> None:
    settings.CHANCERY_MAX_ATTACHMENTS = 2
    before = counts()
    files = [
        {"filename": f"annex-{i}.pdf", "content_base64": b64(PDF + bytes([i]))} for i in range(3)
    ]
    r = call(people["liaison_ca"], "post", "/messages", {**good, "attachments": files})
    assert_refused(r, 413, "3 attachments", "2", before=before)


def test_attachment_filename_with_control_characters(
    call: Any, people: dict[str, User], good: dict[str, Any]
) -> None:
    before = counts()
    r = call(
        people["liaison_ca"],
        "post",
        "/messages",
        {**good, "attachments": [{"filename": "let\x00ter.pdf", "content_base64": b64(PDF)}]},
    )
    assert_refused(r, 422, "filename", before=before)


def test_a_good_attachment_is_accepted(
    call: Any, people: dict[str, User], good: dict[str, Any]
) -> None:
    r = call(
        people["liaison_ca"],
        "post",
        "/messages",
        {
            **good,
            "attachments": [
                {"filename": "letter.pdf", "content_base64": b64(PDF)},
                {"filename": "photo.png", "content_base64": b64(PNG)},
            ],
        },
    )
    assert r.status_code == 201, r.content
    assert [a["filename"] for a in r.json()["receipt"]["attachments"]] == [
        "letter.pdf",
        "photo.png",
    ]
    assert Blob.objects.count() == 2


# --------------------------------------------------------------------------- acting on messages


@pytest.fixture
def message(submit: Any) -> Message:
    return submit()


def test_hold_without_reason(call: Any, people: dict[str, User], message: Message) -> None:
    path = f"/messages/{message.tracking}/holds"
    before = counts()
    r = call(people["officer"], "post", path, {"category": "security"})
    assert_refused(r, 422, "reason", "required", before=before)
    for reason in ("", "   \n"):
        r = call(people["officer"], "post", path, {"category": "security", "reason": reason})
        assert_refused(r, 422, "reason", "empty", before=before)


@pytest.mark.parametrize("category", ["vibes", "", "transition_policy", "SECURITY"])
def test_hold_with_unknown_category(
    call: Any, people: dict[str, User], message: Message, category: str
) -> None:
    before = counts()
    r = call(
        people["officer"],
        "post",
        f"/messages/{message.tracking}/holds",
        {"category": category, "reason": "Checking the signature."},
    )
    assert_refused(r, 422, "category", "security", before=before)


def test_hold_confirmed_by_the_officer_who_placed_it(
    call: Any, people: dict[str, User], message: Message
) -> None:
    r = call(
        people["officer"],
        "post",
        f"/messages/{message.tracking}/holds",
        {"category": "authenticity", "reason": "Verifying the letterhead."},
    )
    assert r.status_code == 201, r.content
    hold_id = r.json()["id"]
    before = counts()
    r = call(people["officer"], "post", f"/holds/{hold_id}/confirm")
    assert_refused(r, 403, "different officer", before=before)
    assert Hold.objects.get(pk=hold_id).confirmed_at is None


def test_liaison_cannot_place_a_hold(call: Any, people: dict[str, User], message: Message) -> None:
    before = counts()
    r = call(
        people["liaison_ca"],
        "post",
        f"/messages/{message.tracking}/holds",
        {"category": "security", "reason": "I changed my mind."},
    )
    assert_refused(r, 403, "officer", before=before)


def test_reject_without_reason(call: Any, people: dict[str, User], message: Message) -> None:
    path = f"/messages/{message.tracking}/reject"
    before = counts()
    r = call(people["officer"], "post", path, {})
    assert_refused(r, 422, "reason", "required", before=before)
    r = call(people["officer"], "post", path, raw=b"")
    assert_refused(r, 422, "empty", before=before)
    r = call(people["officer"], "post", path, {"reason": "  "})
    assert_refused(r, 422, "reason", "empty", before=before)
    message.refresh_from_db()
    assert message.state == "received"


def test_release_without_reason(call: Any, people: dict[str, User], message: Message) -> None:
    r = call(
        people["officer"],
        "post",
        f"/messages/{message.tracking}/holds",
        {"category": "legal", "reason": "Counsel reviewing."},
    )
    hold_id = r.json()["id"]
    before = counts()
    r = call(people["officer2"], "post", f"/holds/{hold_id}/release", {"reason": ""})
    assert_refused(r, 422, "reason", before=before)
    assert Hold.objects.get(pk=hold_id).released_at is None


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("get", "/receipt", None),
        ("post", "/deliver", None),
        ("post", "/acknowledge", None),
        ("post", "/triage", {}),
        ("post", "/reject", {"reason": "spam"}),
        ("post", "/holds", {"category": "security", "reason": "check"}),
        ("post", "/translations", {"source_language": "fr"}),
    ],
)
@pytest.mark.parametrize(
    "tracking",
    [
        "CH-2020-999999",
        "CH-1999-000001",
        "CH-2020-99999999999999999999999",
        "42",
        "CH-20-1",
        "ch-2020-abcdef",
        "%3Cscript%3E",
        "CH-2020-000001%00",
    ],
)
def test_unknown_or_malformed_tracking(
    call: Any,
    people: dict[str, User],
    message: Message,
    method: str,
    suffix: str,
    body: Any,
    tracking: str,
) -> None:
    before = counts()
    r = call(people["officer"], method, f"/messages/{tracking}{suffix}", body)
    assert_refused(r, 404, before=before)
    detail = r.json()["detail"]
    assert "tracking" in detail or "CH-" in detail, detail


def test_another_countrys_liaison_gets_404_not_403(
    call: Any, people: dict[str, User], message: Message
) -> None:
    before = counts()
    r = call(people["liaison_fr"], "get", f"/messages/{message.tracking}")
    assert_refused(r, 404, message.tracking, before=before)
    other = call(people["liaison_fr"], "get", "/messages/CH-2020-999999")
    assert r.json()["error"] == other.json()["error"]


@pytest.mark.parametrize("hold_id", ["999999", "0", "-1", "99999999999999999999999", "abc"])
@pytest.mark.parametrize("action", ["confirm", "renew", "release"])
def test_unknown_or_malformed_hold_id(
    call: Any, people: dict[str, User], message: Message, hold_id: str, action: str
) -> None:
    before = counts()
    r = call(people["officer2"], "post", f"/holds/{hold_id}/{action}", {"reason": "done"})
    assert_refused(r, (404, 422), before=before)


@pytest.mark.parametrize("translation_id", ["999999", "0", "99999999999999999999999", "x"])
def test_unknown_translation(call: Any, people: dict[str, User], translation_id: str) -> None:
    before = counts()
    r = call(
        people["translator"],
        "post",
        f"/translations/{translation_id}/sign-off",
        {"text": "Bonjour"},
    )
    assert_refused(r, (404, 422), before=before)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"source_language": "klingon"}, "source_language"),
        ({"source_language": "fr", "target_language": "xx"}, "target_language"),
        ({"source_language": "en", "target_language": "en"}, "language"),
    ],
)
def test_bad_translation_request(
    call: Any, people: dict[str, User], message: Message, payload: dict[str, str], field: str
) -> None:
    before = counts()
    r = call(people["officer"], "post", f"/messages/{message.tracking}/translations", payload)
    body = assert_refused(r, 422, before=before)
    assert field in str(body.get("field")), body


def test_sign_off_with_empty_text(call: Any, people: dict[str, User], message: Message) -> None:
    r = call(
        people["officer"],
        "post",
        f"/messages/{message.tracking}/translations",
        {"source_language": "fr"},
    )
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    before = counts()
    r = call(people["translator"], "post", f"/translations/{tid}/sign-off", {"text": " "})
    assert_refused(r, 422, "text", "empty", before=before)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("?state=lost", ("state", "received")),
        ("?limit=0", ("limit",)),
        ("?limit=100000", ("limit",)),
        ("?offset=-1", ("offset",)),
        ("?offset=99999999999999999999999", ("offset",)),
        ("?limit=abc", ("limit",)),
    ],
)
def test_bad_list_query(
    call: Any, people: dict[str, User], message: Message, query: str, words: tuple[str, ...]
) -> None:
    before = counts()
    r = call(people["officer"], "get", f"/messages{query}")
    assert_refused(r, (400, 422), *words, before=before)


def test_unknown_principal_status(call: Any, people: dict[str, User], gated: Any) -> None:
    before = counts()
    r = call(people["admin"], "post", "/principals/president-elect/status", {"status": "crowned"})
    assert_refused(r, 422, "status", "ascertained", before=before)
    r = call(people["admin"], "post", "/principals/nobody/status", {"status": "ascertained"})
    assert_refused(r, 404, "nobody", before=before)
    r = call(
        people["officer"], "post", "/principals/president-elect/status", {"status": "ascertained"}
    )
    assert_refused(r, 403, "admin", before=before)


def test_unknown_principal_inbox(call: Any, people: dict[str, User], world: Any) -> None:
    before = counts()
    r = call(people["officer"], "get", "/principals/nobody/inbox")
    assert_refused(r, 404, "nobody", "president-elect", before=before)
    r = call(people["staffer"], "get", "/principals/vice-president-elect/inbox")
    assert_refused(r, 403, before=before)


# --------------------------------------------------------------------------- markup in text


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp; \u202eRTL'


def test_html_and_script_are_stored_exactly_and_returned_as_json_strings(
    call: Any, people: dict[str, User], good: dict[str, Any]
) -> None:
    r = call(
        people["liaison_ca"],
        "post",
        "/messages",
        {**good, "subject": HOSTILE, "body": HOSTILE + "\n" + HOSTILE},
    )
    assert r.status_code == 201, r.content
    tracking = r.json()["tracking"]
    stored = Message.objects.get()
    assert stored.subject == HOSTILE
    assert stored.body == HOSTILE + "\n" + HOSTILE

    r = call(people["officer"], "get", f"/messages/{tracking}")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert r["X-Content-Type-Options"] == "nosniff"
    payload = r.json()
    assert payload["subject"] == HOSTILE
    assert payload["body"] == HOSTILE + "\n" + HOSTILE

    r = call(
        people["officer"],
        "post",
        f"/messages/{tracking}/holds",
        {"category": "security", "reason": HOSTILE},
    )
    assert r.status_code == 201
    assert r.json()["reason"] == HOSTILE
    r = call(people["staffer"], "get", "/principals/president-elect/inbox")
    assert r.status_code == 200
    assert r.json()[0]["hold"]["reason"] == HOSTILE


def test_error_details_with_markup_are_json_not_html(
    call: Any, people: dict[str, User], good: dict[str, Any]
) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, "principal": "<b>x</b>"})
    payload = assert_refused(r, (404, 422), "principal", before=before)
    assert r["Content-Type"].startswith("application/json")
    assert "<html" not in r.content.decode().lower()
    assert isinstance(payload["detail"], str)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/nothing-here"),
        ("post", "/messages/"),
        ("get", "/messages/CH-2020-000001/nothing"),
        ("put", "/v2/messages"),
    ],
)
def test_unknown_endpoint_is_a_json_404(
    call: Any, people: dict[str, User], method: str, path: str
) -> None:
    before = counts()
    r = call(people["officer"], method, path)
    assert_refused(r, 404, "/api/v1/docs", before=before)
    if path.endswith("/"):
        assert "trailing slash" in r.json()["detail"]


def test_wrong_method_is_refused_with_the_allowed_ones(call: Any, people: dict[str, User]) -> None:
    before = counts()
    r = call(people["officer"], "delete", "/principals")
    assert r.status_code == 405
    assert r["Allow"] == "GET"
    assert counts() == before


# --------------------------------------------------------------------------- the field at fault


@pytest.mark.parametrize(
    ("body_change", "field"),
    [
        ({"body": 123}, "body"),
        ({"body": None}, "body"),
        ({"sender_office": "Canada"}, "sender_office"),
        ({"subject": "s" * 301}, "subject"),
        ({"attachments": [{"filename": "letter.pdf"}]}, "attachments.0.content_base64"),
        ({"language": "xx-not-a-code"}, "language"),
        ({"channel": "carrier-pigeon"}, "channel"),
    ],
)
def test_input_errors_name_their_field(
    call: Any, people: dict[str, User], good: dict[str, Any], body_change: dict[str, Any],
    field: str,
) -> None:
    before = counts()
    r = call(people["liaison_ca"], "post", "/messages", {**good, **body_change})
    payload = assert_refused(r, (413, 422), before=before)
    assert payload.get("field") == field, payload


def test_several_missing_fields_name_the_first(call: Any, people: dict[str, User]) -> None:
    r = call(people["liaison_ca"], "post", "/messages", {"subject": "no body"})
    payload = assert_refused(r, 422, before=counts())
    assert payload["field"] == "principal"
    assert [e["loc"][-1] for e in payload["errors"]] == ["principal", "sender_office", "body"]


def test_a_key_given_twice_is_refused(
    call: Any, people: dict[str, User], good: dict[str, Any]
) -> None:
    before = counts()
    raw = json.dumps(good)[:-1] + ', "body": "a second text"}'
    r = call(people["liaison_ca"], "post", "/messages", raw=raw.encode())
    payload = assert_refused(r, 422, "'body'", "more than once", before=before)
    assert payload["field"] == "body"


def test_parameter_errors_name_the_parameter(
    call: Any, people: dict[str, User], good: dict[str, Any]
) -> None:
    before = counts()
    for method, path, field, headers in [
        ("get", "/messages?state=lost", "state", {}),
        ("get", "/messages?limit=0", "limit", {}),
        ("post", "/holds/987654321/confirm", "hold_id", {}),
        ("post", "/holds/abc/confirm", "hold_id", {}),
        ("get", "/principals/nobody/inbox", "slug", {}),
        ("post", "/messages", "Idempotency-Key", {"Idempotency-Key": "k" * 201}),
    ]:
        r = call(people["officer"] if method == "get" or "holds" in path else people["liaison_ca"],
                 method, path, good if path == "/messages" else None, **headers)
        payload = assert_refused(r, (404, 422), before=before)
        assert payload.get("field") == field, (path, payload)
    # the same Idempotency-Key with a different request: a conflict about that header
    first = call(people["liaison_ca"], "post", "/messages", good, **{"Idempotency-Key": "k1"})
    assert first.status_code == 201
    again = call(people["liaison_ca"], "post", "/messages", {**good, "body": "Other."},
                 **{"Idempotency-Key": "k1"})
    assert again.status_code == 409 and again.json()["field"] == "Idempotency-Key"
