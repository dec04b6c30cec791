"""Attachments: a size limit, the type decided by content (never by name), content addressing.

Accepted: PDF, PNG, JPEG, TIFF and UTF-8 text. Refused: executables, archives, other binary
data, a file whose name claims another type than its content, names that hide their extension.
HTML or a script sent as ``.txt`` is accepted as text/plain: Chancery never renders or runs an
attachment and serves it back as the type recorded here.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

import pytest

from chancery.correspondence import services
from chancery.correspondence.attachments import check_attachment
from chancery.correspondence.models import Attachment, Blob, Message
from chancery.errors import InvalidInput, TooLarge
from chancery.ledger.models import Event
from chancery.testing import PDF


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
    )


JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\0" * 32 + b"\xff\xd9"
)
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 24
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 120
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def zip_file() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("letter.txt", "hello")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("letter.pdf", PDF, "application/pdf"),
        ("LETTER.PDF", PDF, "application/pdf"),
        ("seal.png", png(), "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("scan.tiff", TIFF, "image/tiff"),
        ("note.txt", "Félicitations\r\nمبروك\n".encode(), "text/plain"),
        ("page.txt", HTML, "text/plain"),  # never rendered: harmless as text
        ("json.txt", b'{"a": 1}', "text/plain"),
        ("MZ.txt", b"MZ is how this letter happens to begin.", "text/plain"),
        ("table.csv", b"name,country\nTrudeau,CA\n", "text/plain"),
        ("رسالة.pdf", PDF, "application/pdf"),  # names in any script
    ],
)
def test_accepted_types(name: str, data: bytes, content_type: str) -> None:
    checked = check_attachment(name, data)
    assert checked.content_type == content_type
    assert checked.filename == name and checked.data == data


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("program", ELF, "ELF executable"),
        ("program.pdf", ELF, "ELF executable"),
        ("setup.exe", PE, "Windows executable"),
        ("letter.pdf", PE, "Windows executable"),
        ("letters.zip", zip_file(), "application/"),
        ("letter.pdf", zip_file(), "application/"),
        ("anim.gif", GIF, "image/gif"),
        ("seal.pdf", png(), "image/png"),  # a PNG named .pdf
        ("letter.png", PDF, "application/pdf"),  # and the other way round
        ("letter.txt", PDF, "application/pdf"),
        ("page.html", HTML, "text/plain"),  # text is accepted only under a text name
        ("noext", b"plain text", "without an extension"),
        ("latin1.txt", "Fran\xe7ais".encode("latin-1"), "PDF, PNG, JPEG, TIFF and UTF-8 text"),
        ("escape.txt", b"terminal \x1b[31m trick", "UTF-8 text"),
        ("nul.txt", b"text\x00with nul", "UTF-8 text"),
    ],
)
def test_refused_types_name_the_problem(name: str, data: bytes, says: str) -> None:
    with pytest.raises(InvalidInput) as err:
        check_attachment(name, data)
    assert err.value.field == "attachments"
    assert says in err.value.message


@pytest.mark.parametrize(
    "name", ["letter\u202efdp.exe", "a\u2066b.txt", "line\nbreak.txt", "", ".", "..", "x" * 256]
)
def test_refused_names(name: str) -> None:
    with pytest.raises(InvalidInput):
        check_attachment(name, PDF)


def test_paths_are_reduced_to_the_file_name() -> None:
    assert check_attachment("../../etc/passwd.txt", b"root").filename == "passwd.txt"
    assert check_attachment("C:\\Users\\me\\letter.pdf", PDF).filename == "letter.pdf"


def test_size_limit(settings: Any) -> None:
    settings.CHANCERY_MAX_ATTACHMENT_BYTES = 1000
    assert check_attachment("a.txt", b"a" * 1000).content_type == "text/plain"  # at the limit
    with pytest.raises(TooLarge) as err:
        check_attachment("a.txt", b"a" * 1001)
    assert "1,001" in err.value.message and "1,000" in err.value.message
    with pytest.raises(InvalidInput) as empty:
        check_attachment("a.txt", b"")
    assert "empty" in empty.value.message


def test_same_bytes_are_stored_once(submit: Any, people: dict[str, Any]) -> None:
    first = submit("One", attachments=[("letter.pdf", PDF), ("seal.png", png())])
    second = submit("Two", attachments=[("copy-of-letter.pdf", PDF)])
    assert Blob.objects.count() == 2
    assert Attachment.objects.count() == 3
    blob = Blob.objects.get(sha256=Attachment.objects.get(message=second).blob_id)
    assert bytes(blob.data) == PDF and blob.size == len(PDF)
    assert blob.content_type == "application/pdf"
    import hashlib

    assert blob.sha256 == hashlib.sha256(PDF).hexdigest()
    receipt = services.receipt(first)
    assert [a["filename"] for a in receipt["attachments"]] == ["letter.pdf", "seal.png"]
    assert receipt["attachments"][0]["sha256"] == blob.sha256
    assert Event.objects.get(subject_id=first.pk, kind="message.received").data["attachments"] == 2


def test_a_disguised_attachment_refuses_the_whole_submission(
    submit: Any, people: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput) as err:
        submit("With a bad file", attachments=[("letter.pdf", PDF), ("invoice.pdf", PE)])
    assert "invoice.pdf" in err.value.message
    assert not Message.objects.exists() and not Blob.objects.exists()
    assert not Event.objects.exists()


def test_too_many_attachments(submit: Any, settings: Any) -> None:
    settings.CHANCERY_MAX_ATTACHMENTS = 2
    with pytest.raises(TooLarge) as err:
        submit("Many", attachments=[(f"{i}.txt", f"{i}".encode()) for i in range(3)])
    assert err.value.field == "attachments"
    assert not Message.objects.exists()
