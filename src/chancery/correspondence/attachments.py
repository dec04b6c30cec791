"""Attachment checks: size limit, type decided by content (never by name), never executed.

The accepted types are recognised by their own signatures (PDF, PNG, JPEG, TIFF) or, for text,
by being valid UTF-8 without control characters. Anything else is refused, and puremagic is
asked only to name what the file looks like, so the refusal can say so ("it is a ZIP archive").
HTML, XML or a shell script sent as ``.txt`` is accepted as ``text/plain``: Chancery never
renders or runs an attachment, and serves it back as the type recorded here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePath

import puremagic
from django.conf import settings

from chancery.errors import InvalidInput, TooLarge

# content type -> file name extensions that may carry it
ALLOWED = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/tiff": {".tif", ".tiff"},
    "text/plain": {".txt", ".text", ".csv", ".md"},
}

SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
]

# C0 controls other than tab, line feed, form feed and carriage return, and DEL
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Bidirectional overrides and isolates: they disguise names ("report\u202efdp.exe")
_NAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes
    sha256: str


def _sniff(data: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text):
        return None
    return "text/plain"


def _looks_like(data: bytes) -> str:
    """A short description of unaccepted content, for the error message."""
    if data.startswith(b"\x7fELF"):
        return "an ELF executable"
    if data.startswith(b"MZ"):
        return "a Windows executable"
    try:
        matches = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        matches = []
    for match in matches:
        if match.mime_type:
            return match.mime_type
    return "binary data of an unknown type"


def check_attachment(filename: str, data: bytes) -> CheckedFile:
    name = PurePath(str(filename).replace("\\", "/")).name.strip()
    if not name or name in {".", ".."} or len(name) > 255:
        raise InvalidInput(
            f"Attachment name {filename!r} is not a usable file name.", field="attachments"
        )
    if _NAME_FORBIDDEN.search(name):
        raise InvalidInput(
            f"Attachment name {name!r} contains control or text-direction characters; "
            "rename the file.",
            field="attachments",
        )
    limit = settings.CHANCERY_MAX_ATTACHMENT_BYTES
    if len(data) > limit:
        raise TooLarge(
            f"Attachment {name!r} is {len(data):,} bytes; the limit is {limit:,} bytes.",
            field="attachments",
        )
    if not data:
        raise InvalidInput(f"Attachment {name!r} is empty.", field="attachments")
    content_type = _sniff(data)
    if content_type is None:
        allowed_list = ", ".join(sorted({e for exts in ALLOWED.values() for e in exts}))
        raise InvalidInput(
            f"Attachment {name!r} is {_looks_like(data)} by its content; Chancery accepts PDF, "
            f"PNG, JPEG, TIFF and UTF-8 text files ({allowed_list}).",
            field="attachments",
        )
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED[content_type]:
        raise InvalidInput(
            f"Attachment {name!r} is named {suffix or 'without an extension'} but its content is "
            f"{content_type}; rename it to match its content "
            f"({', '.join(sorted(ALLOWED[content_type]))}).",
            field="attachments",
        )
    return CheckedFile(name, content_type, data, hashlib.sha256(data).hexdigest())
