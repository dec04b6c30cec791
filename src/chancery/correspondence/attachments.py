"""Attachment checks: size limit, type decided by content (never by name), never executed."""

from __future__ import annotations

import hashlib
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
    "text/plain": {".txt"},
}


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes
    sha256: str


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        matches = puremagic.magic_string(data)
    except puremagic.PureError:
        matches = []
    for match in matches:
        mime = (match.mime_type or "").lower()
        if mime == "image/jpg":
            mime = "image/jpeg"
        if mime in ALLOWED:
            return mime
    if matches:
        return None  # recognised, and not a type we accept (an executable, an archive...)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return "text/plain"


def check_attachment(filename: str, data: bytes) -> CheckedFile:
    name = PurePath(filename.replace("\\", "/")).name.strip()
    if not name or name in {".", ".."} or len(name) > 255:
        raise InvalidInput(f"Attachment name {filename!r} is not a usable file name.", field="attachments")
    limit = settings.CHANCERY_MAX_ATTACHMENT_BYTES
    if len(data) > limit:
        raise TooLarge(
            f"Attachment {name!r} is {len(data):,} bytes; the limit is {limit:,} bytes.",
            field="attachments",
        )
    if not data:
        raise InvalidInput(f"Attachment {name!r} is empty.", field="attachments")
    content_type = _sniff(data)
    allowed_list = ", ".join(sorted({e for exts in ALLOWED.values() for e in exts}))
    if content_type is None:
        raise InvalidInput(
            f"Attachment {name!r} is not a PDF, PNG, JPEG, TIFF or UTF-8 text file by its content; "
            f"accepted types: {allowed_list}.",
            field="attachments",
        )
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED[content_type]:
        raise InvalidInput(
            f"Attachment {name!r} is named {suffix or 'without an extension'} but its content is "
            f"{content_type}; rename it to match its content ({', '.join(sorted(ALLOWED[content_type]))}).",
            field="attachments",
        )
    return CheckedFile(name, content_type, data, hashlib.sha256(data).hexdigest())
