"""Offline receipt verification (``chancery receipt verify``): no database, no network.

Accepts either a bare C2SP ``.tlog-proof`` file or the JSON receipt Chancery returns
(``GET /api/v1/messages/{tracking}/receipt``), whose ``log.entries`` carry one tlog-proof per
event. For a receipt it also checks that every proven entry is about this message, that the
``message.received`` entry commits to the receipt's commitment, and, given the text as sent,
that ``SHA-256(salt || text)`` is that commitment: so a sender can show, with nothing but its
receipt and the log's public key, that its message was logged unaltered.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from chancery.ledger import note, proof


class ReceiptError(ValueError):
    """The receipt is malformed or does not verify."""


def _verifiers(
    vkeys: list[str], witnesses: list[str]
) -> tuple[list[note.NoteVerifier], list[note.NoteVerifier]]:
    try:
        logs: list[note.NoteVerifier] = [note.Verifier.from_text(k.strip()) for k in vkeys]
        wits: list[note.NoteVerifier] = [
            note.CosignatureVerifier.from_text(k.strip()) for k in witnesses
        ]
    except note.NoteError as exc:
        raise ReceiptError(f"bad key: {exc}") from None
    return logs, wits


def _verify_one(
    text: str, logs: list[note.NoteVerifier], wits: list[note.NoteVerifier]
) -> proof.Verified:
    errors = []
    for log in logs:
        try:
            return proof.verify_proof(text, log, wits)
        except proof.ProofError as exc:
            errors.append(str(exc))
    raise ReceiptError("; ".join(errors) or "no log key given")


def _describe(v: proof.Verified) -> str:
    cp = v.checkpoint
    return (
        f"entry {v.index} is in {cp.origin} at size {cp.size} "
        f"(signed by {', '.join(v.signers)})"
    )


def verify_receipt(
    text: str, vkeys: list[str], witnesses: list[str], body: str | None = None
) -> list[str]:
    """Verify; returns human-readable lines of what was shown, or raises ReceiptError."""
    logs, wits = _verifiers(vkeys, witnesses)
    stripped = text.lstrip()
    if stripped.startswith(proof.HEADER):
        try:
            verified = _verify_one(text, logs, wits)
        except proof.ProofError as exc:
            raise ReceiptError(str(exc)) from None
        found = ["OK: " + _describe(verified)]
        try:
            found.append("entry: " + json.dumps(verified.entry(), ensure_ascii=False))
        except ValueError:
            found.append(f"entry: {len(verified.leaf)} bytes (not JSON)")
        if body is not None:
            found.append(_check_body(verified.entry(), None, body))
        return found
    try:
        receipt: dict[str, Any] = json.loads(text)
        tracking = receipt["tracking"]
        entries = receipt["log"]["entries"]
    except (ValueError, KeyError, TypeError):
        raise ReceiptError(
            "neither a tlog-proof (first line c2sp.org/tlog-proof@v1) nor a Chancery receipt "
            "with log.entries; fetch it again from /api/v1/messages/<tracking>/receipt"
        ) from None
    commitment = receipt.get("commitment") or {}
    lines: list[str] = []
    proven = 0
    for item in entries:
        kind = item.get("kind", "?")
        if not item.get("tlog_proof"):
            lines.append(f"pending: {kind} is not in the log yet")
            continue
        try:
            verified = _verify_one(item["tlog_proof"], logs, wits)
            entry = verified.entry()
        except (proof.ProofError, ValueError) as exc:
            raise ReceiptError(f"{kind}: {exc}") from None
        if (entry.get("data") or {}).get("tracking") != tracking or entry.get("kind") != kind:
            raise ReceiptError(f"{kind}: the logged entry is about something else: {entry}")
        if kind == "message.received":
            if entry["data"].get("commitment") != commitment.get("value"):
                raise ReceiptError(
                    "message.received: the logged commitment is not the receipt's commitment"
                )
            if body is not None:
                lines.append(_check_body(entry, commitment.get("salt"), body))
        proven += 1
        lines.append(f"OK: {kind}: " + _describe(verified))
    if not proven:
        raise ReceiptError(f"nothing in {tracking}'s receipt is in the log yet; try again later")
    return lines


def _check_body(entry: dict[str, Any], salt: str | None, body: str) -> str:
    logged = (entry.get("data") or {}).get("commitment")
    if salt is None:
        raise ReceiptError("checking the text needs the salt: give the JSON receipt, not a proof")
    digest = hashlib.sha256(bytes.fromhex(salt) + body.encode()).hexdigest()
    if digest != logged:
        raise ReceiptError(
            "the text given is not the text that was logged (its salted SHA-256 differs)"
        )
    return "OK: the text given is exactly the text that was received and logged"
