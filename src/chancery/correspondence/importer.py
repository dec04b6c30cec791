"""``chancery import FILE``: messages from a JSON list or a CSV file.

Each row goes through ``services.submit_message`` like any other submission, with an
idempotency key derived from the row's content, so re-running an import (after fixing the rows
that were rejected, say) never creates a second copy of a message. The file is checked whole
before anything is written: a structural error anywhere stops the import with every problem
listed and nothing imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chancery.accounts.models import Role
from chancery.accounts.roles import has_role, is_officer
from chancery.correspondence.services import Submission, submit_message
from chancery.errors import ChanceryError

REQUIRED = ("principal", "sender_office", "body")
OPTIONAL = ("channel", "subject", "language", "received_at")


class ImportFailed(Exception):
    pass


@dataclass
class ImportResult:
    created: int = 0
    existing: int = 0
    errors: list[str] = field(default_factory=list)


def _read_rows(path: Path, fmt: str) -> list[dict[str, Any]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"{path}: not UTF-8 (byte {exc.start}); save the file as UTF-8."
        ) from None
    if fmt == "auto":
        fmt = "json" if text.lstrip().startswith(("[", "{")) else "csv"
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFailed(f"{path}: malformed JSON at line {exc.lineno}: {exc.msg}.") from None
        if isinstance(data, dict) and isinstance(data.get("messages"), list):
            data = data["messages"]
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ImportFailed(f"{path}: expected a JSON list of message objects.")
        return data
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFailed(f"{path}: CSV header lacks column(s) {', '.join(missing)}.")
    return [dict(row) for row in reader]


def _check(rows: list[dict[str, Any]]) -> list[str]:
    problems = []
    for n, row in enumerate(rows, start=1):
        for key in REQUIRED:
            if row.get(key) in (None, ""):
                problems.append(f"row {n}: {key} is missing")
        unknown = set(row) - set(REQUIRED) - set(OPTIONAL)
        if unknown:
            problems.append(f"row {n}: unknown field(s) {', '.join(sorted(unknown))}")
        try:
            int(row.get("sender_office") or 0)
        except (TypeError, ValueError):
            problems.append(f"row {n}: sender_office must be an office id (a whole number)")
        if row.get("received_at"):
            try:
                when = dt.datetime.fromisoformat(str(row["received_at"]))
                if when.tzinfo is None:
                    problems.append(f"row {n}: received_at needs a time zone offset")
            except ValueError:
                problems.append(f"row {n}: received_at is not an ISO 8601 date-time")
    return problems


def import_file(path: Path, *, username: str, fmt: str = "auto") -> ImportResult:
    from django.contrib.auth.models import User
    from rich.progress import Progress

    user = User.objects.filter(username=username).first()
    if user is None:
        raise ImportFailed(f"No user {username!r}.")
    rows = _read_rows(path, fmt)
    problems = _check(rows)
    if not (is_officer(user) or has_role(user, Role.ADMIN)):
        problems += [
            f"row {n}: received_at may be given only by an officer recording earlier mail"
            for n, row in enumerate(rows, start=1)
            if row.get("received_at")
        ]
    if problems:
        raise ImportFailed("nothing imported; fix these rows first:\n  " + "\n  ".join(problems))
    result = ImportResult()
    with Progress(transient=True) as progress:
        task = progress.add_task(f"Importing {path.name}", total=len(rows))
        for n, row in enumerate(rows, start=1):
            sub = Submission(
                principal=str(row["principal"]),
                sender_office=int(row["sender_office"]),
                body=str(row["body"]),
                channel=str(row.get("channel") or "letter"),
                subject=str(row.get("subject") or ""),
                language=str(row.get("language") or ""),
            )
            received = row.get("received_at")
            key = (
                "import:"
                + hashlib.sha256(
                    json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode()
                ).hexdigest()[:40]
            )
            try:
                _, created = submit_message(
                    sub,
                    by=user,
                    idempotency_key=key,
                    received_at=dt.datetime.fromisoformat(str(received)) if received else None,
                )
            except ChanceryError as exc:
                result.errors.append(f"row {n}: {exc.message}")
            else:
                if created:
                    result.created += 1
                else:
                    result.existing += 1
            progress.advance(task)
    return result
