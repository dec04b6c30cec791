"""Witnessing, both ways: C2SP ``tlog-witness`` ``add-checkpoint`` with ``cosignature/v1``.

Two Chancery installations can witness each other, so that a split view of either log (two
different trees shown to two parties under one key) becomes detectable.

**The witness side** (:func:`add_checkpoint`, ``POST /log/witness/add-checkpoint``) cosigns the
checkpoints of the logs whose verifier keys are in ``CHANCERY_WITNESS_LOGS`` (the key name is the
log's origin), keeping the latest cosigned size, root and note per origin in a
:class:`~chancery.ledger.models.WitnessState` row of role "log". It follows
https://c2sp.org/tlog-witness:

- malformed body, or old size above the checkpoint size: 400;
- unknown origin: 404; no trusted signature, or a trusted key's signature that fails: 403
  (signatures of unknown keys are ignored);
- old size other than the size we last cosigned (0 if never): 409 with
  ``Content-Type: text/x.tlog.size`` and that size, in decimal, then a newline;
- same size as the one we cosigned but another root (a fork): 409;
- a consistency proof that does not verify from our stored tree: 422;
- otherwise the stored state moves by compare-and-swap on the (size, root) we checked against,
  so of two concurrent submissions only one can win (the other gets a 409), and the answer is
  200 with our cosignature line. ``GET /log/witness/key`` serves our witness verifier key.

**The submitter side** (:func:`submit_to_witnesses`) sends the log's current checkpoint to each
witness of ``CHANCERY_WITNESSES`` (``"URL VKEY"`` pairs, ``URL`` the witness's submission prefix)
with a consistency proof from the size that witness last acknowledged (role "witness" rows); on
a 409 with a size it retries once from that size. A cosignature is accepted only if it verifies
with the witness's configured key; the accepted ones are added to the checkpoint row's
``cosigned`` note (the log's signature line, then the cosignature lines), which is what
``/log/checkpoint`` serves. Network I/O happens outside any database transaction. The worker
runs it in a background thread (:func:`submit_in_background`), woken after each batch and every
minute, so a slow or unreachable witness never delays sequencing; failures are logged and
retried on the next wake.

This module imports no models at import time (they are imported where used), so that the
``chancery`` command can register :data:`witness_command` before Django is set up.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from chancery.ledger import keys, merkle, note, tiles

if TYPE_CHECKING:
    from chancery.ledger.models import Checkpoint

log = logging.getLogger(__name__)

#: Largest add-checkpoint request body accepted. A checkpoint with the 100 signatures a note may
#: carry and 63 proof lines is about 16 KiB.
MAX_BODY = 64 * 1024
#: Largest witness response read (a few signature lines are expected).
MAX_RESPONSE = 64 * 1024
#: Seconds to wait for a witness (connect and each read).
TIMEOUT = 10.0
#: Seconds between background re-checks when no batch wakes the submitter.
RECHECK_INTERVAL = 60.0

SIZE_CONTENT_TYPE = "text/x.tlog.size"
TEXT = "text/plain; charset=utf-8"
ROLE_LOG = "log"
ROLE_WITNESS = "witness"

#: ``post(url, body) -> (status, content type, body)``: how the submitter reaches a witness.
Poster = Callable[[str, bytes], tuple[int, str, bytes]]


# --- Configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Witness:
    """A witness we submit to: its submission prefix and its cosignature/v1 verifier key."""

    url: str
    verifier: note.CosignatureVerifier

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def add_checkpoint_url(self) -> str:
        return self.url.rstrip("/") + "/add-checkpoint"


def configured_witnesses() -> list[Witness]:
    """``CHANCERY_WITNESSES`` parsed: each entry is ``URL VKEY`` (http or https URL)."""
    out: list[Witness] = []
    for entry in settings.CHANCERY_WITNESSES:
        parts = entry.split()
        if len(parts) != 2:
            raise ImproperlyConfigured(
                f"CHANCERY_WITNESSES entry {entry!r} must be 'URL VKEY' (the witness's submission"
                " prefix, a space, its verifier key)"
            )
        url, vkey = parts
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"CHANCERY_WITNESSES: {url!r} is not an http(s) URL")
        try:
            verifier = note.CosignatureVerifier.from_text(vkey)
        except note.NoteError as exc:
            raise ImproperlyConfigured(f"CHANCERY_WITNESSES: {exc}") from None
        out.append(Witness(url, verifier))
    return out


def witnessed_logs() -> dict[str, list[note.Verifier]]:
    """``CHANCERY_WITNESS_LOGS`` parsed: the trusted Ed25519 keys of each origin we witness."""
    logs: dict[str, list[note.Verifier]] = {}
    for vkey in settings.CHANCERY_WITNESS_LOGS:
        try:
            verifier = note.Verifier.from_text(vkey)
        except note.NoteError as exc:
            raise ImproperlyConfigured(f"CHANCERY_WITNESS_LOGS: {exc}") from None
        logs.setdefault(verifier.name, []).append(verifier)
    return logs


def _split(signed: str) -> tuple[str, list[str]]:
    """A well-formed note's text and its signature lines (each with its newline)."""
    split = signed.rfind("\n\n")
    block = signed[split + 2 :]
    return signed[: split + 1], [line + "\n" for line in block[:-1].split("\n")]


# --- The witness ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = TEXT


def _conflict(size: int) -> Answer:
    return Answer(409, f"{size}\n", SIZE_CONTENT_TYPE)


def witness_checkpoint(body: bytes, timestamp: int | None = None) -> Answer:
    """Process one add-checkpoint request body: the whole witness, without HTTP."""
    from chancery.ledger.models import WitnessState

    try:
        request = note.parse_add_checkpoint(body)
        checkpoint = request.checkpoint
    except note.NoteError as exc:
        return Answer(400, f"malformed add-checkpoint request: {exc}\n")
    origin = checkpoint.origin
    trusted = witnessed_logs().get(origin)
    if not trusted:
        return Answer(404, f"unknown log {origin!r}: this witness does not witness it\n")
    try:
        opened = note.open_note(request.note, trusted)
    except note.NoteError as exc:  # UnverifiedNoteError too: no trusted key signed it
        return Answer(403, f"checkpoint signature: {exc}\n")

    state = WitnessState.objects.filter(role=ROLE_LOG, name=origin).first()
    known_size = state.size if state is not None else 0
    known_root = bytes(state.root) if state is not None else merkle.EMPTY_ROOT
    if known_size == 0 and not known_root:
        known_root = merkle.EMPTY_ROOT
    if request.old_size != known_size:
        return _conflict(known_size)
    if checkpoint.size == 0 and checkpoint.root != merkle.EMPTY_ROOT:
        return Answer(422, "a checkpoint of size 0 must carry the empty tree's root\n")
    if checkpoint.size == known_size and checkpoint.root != known_root:
        log.warning(
            "witness: log %s signed a second tree of size %d (a fork); refused:\n%s",
            origin, checkpoint.size, request.note,
        )
        return Answer(409, f"a different tree of size {known_size} was cosigned for {origin}\n")
    if not merkle.verify_consistency(
        known_size, checkpoint.size, known_root, checkpoint.root, request.proof
    ):
        log.warning(
            "witness: log %s sent a checkpoint of size %d not proven consistent with size %d;"
            " refused:\n%s",
            origin, checkpoint.size, known_size, request.note,
        )
        return Answer(
            422, f"the consistency proof from size {known_size} to {checkpoint.size} fails\n"
        )

    signer = keys.witness_signer()
    line = signer.cosign(opened.text, int(time.time()) if timestamp is None else timestamp)
    verified = set(opened.verified)
    kept = []  # the log's signatures that verified, then ours
    for sig_line in _split(request.note)[1]:
        sig = note.parse_signature_line(sig_line)
        if (sig.name, sig.key_id) in verified:
            kept.append(sig_line)
    stored = opened.text + "\n" + "".join(kept) + line
    values = {"size": checkpoint.size, "root": checkpoint.root, "note": stored}
    # Compare-and-swap on the state the checks above used: a concurrent request that moved it
    # first makes this one fail (and answer 409), never roll the state back.
    if state is None:
        try:
            with transaction.atomic():
                WitnessState.objects.create(role=ROLE_LOG, name=origin, **values)
        except IntegrityError:
            current = WitnessState.objects.get(role=ROLE_LOG, name=origin)
            return _conflict(current.size)
    else:
        moved = WitnessState.objects.filter(
            pk=state.pk, size=known_size, root=bytes(state.root)
        ).update(**values)
        if moved != 1:
            current = WitnessState.objects.get(pk=state.pk)
            return _conflict(current.size)
    return Answer(200, line)


def _response(answer: Answer) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def add_checkpoint(request: HttpRequest) -> HttpResponse:
    """``POST /log/witness/add-checkpoint`` (c2sp.org/tlog-witness)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _response(Answer(400, "invalid Content-Length\n"))
    if length > MAX_BODY:
        return _response(Answer(413, f"request body over {MAX_BODY} bytes\n"))
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _response(Answer(413, f"request body over {MAX_BODY} bytes\n"))
    return _response(witness_checkpoint(body))


@require_safe
def witness_key(request: HttpRequest) -> HttpResponse:
    """``GET /log/witness/key``: this installation's witness verifier key (cosignature/v1)."""
    response = HttpResponse(keys.witness_signer().vkey + "\n", content_type=TEXT)
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- The submitter -------------------------------------------------------------------------------


class Refused(Exception):
    """The witness did not cosign (an HTTP error, a refusal, or a bad cosignature)."""


class _Conflict(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(f"the witness has size {size}")
        self.size = size


@dataclass(frozen=True)
class Outcome:
    """What one witness did with the checkpoint of ``size``."""

    witness: str
    size: int
    ok: bool
    detail: str

    def __str__(self) -> str:
        verdict = "cosigned" if self.ok else "FAILED"
        return f"{self.witness}: {verdict} size {self.size}: {self.detail}"


def http_post(url: str, body: bytes) -> tuple[int, str, bytes]:
    """POST ``body`` to ``url``; the status, content type and (at most MAX_RESPONSE + 1 bytes
    of) body, whatever the status."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked in configured_witnesses
        url, data=body, method="POST", headers={"Content-Type": TEXT, "User-Agent": "chancery"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return response.status, response.headers.get("Content-Type", ""), response.read(
                MAX_RESPONSE + 1
            )
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read(MAX_RESPONSE + 1)


def _parse_size(body: bytes) -> int:
    text = body.decode("ascii", "replace")
    if not text.endswith("\n") or not text[:-1].isdigit() or (len(text) > 2 and text[0] == "0"):
        raise Refused(f"409 with a malformed {SIZE_CONTENT_TYPE} body {text[:40]!r}")
    return int(text[:-1])


def _cosignature(witness: Witness, text: str, body: bytes) -> str:
    """The witness's verified cosignature line from a 200 response body (others are ignored)."""
    try:
        lines = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("the response is not UTF-8") from None
    if len(body) > MAX_RESPONSE or not lines.endswith("\n"):
        raise Refused("the response is not a sequence of signature lines")
    found = None
    for raw in lines[:-1].split("\n"):
        try:
            sig = note.parse_signature_line(raw)
        except note.NoteError as exc:
            raise Refused(f"the response has a malformed signature line: {exc}") from None
        if (sig.name, sig.key_id) != (witness.verifier.name, witness.verifier.key_id):
            continue  # a key we do not know: ignored, as the spec requires
        if not witness.verifier.verify(text.encode("utf-8"), sig.raw):
            raise Refused("its cosignature does not verify with its key")
        if not witness.verifier.timestamp(sig.raw):
            raise Refused("its cosignature has no timestamp")
        found = found or sig.line
    if found is None:
        raise Refused("the response has no cosignature by its key")
    return found


def _attempt(
    witness: Witness, cp: Checkpoint, text: str, reader: tiles.TileHashReader, old: int,
    post: Poster,
) -> str:
    body = note.format_add_checkpoint(old, reader.consistency_proof(old), cp.note)
    status, content_type, answer = post(witness.add_checkpoint_url, body)
    if status == 200:
        return _cosignature(witness, text, answer)
    if status == 409 and content_type.split(";")[0].strip().lower() == SIZE_CONTENT_TYPE:
        raise _Conflict(_parse_size(answer))
    excerpt = answer[:300].decode("utf-8", "replace").strip()
    raise Refused(f"HTTP {status} from old size {old}: {excerpt}")


def _submit_one(
    witness: Witness, cp: Checkpoint, text: str, reader: tiles.TileHashReader, old: int,
    post: Poster,
) -> str:
    if old > cp.size:  # our own record says the witness saw more than we have: do not guess
        raise Refused(f"it acknowledged size {old}, more than ours ({cp.size})")
    try:
        return _attempt(witness, cp, text, reader, old, post)
    except _Conflict as conflict:
        if conflict.size > cp.size:
            raise Refused(
                f"it has cosigned size {conflict.size} of this log, more than ours ({cp.size}):"
                " was the log rolled back?"
            ) from None
        try:
            return _attempt(witness, cp, text, reader, conflict.size, post)
        except _Conflict as again:
            raise Refused(f"409 twice (it has size {again.size})") from None


def _acknowledge(witness: Witness, cp: Checkpoint, line: str) -> None:
    from chancery.ledger.models import WitnessState

    values = {"size": cp.size, "root": bytes(cp.root), "note": line}
    moved = WitnessState.objects.filter(
        role=ROLE_WITNESS, name=witness.name, size__lte=cp.size
    ).update(**values)
    if not moved:
        try:
            with transaction.atomic():
                WitnessState.objects.create(role=ROLE_WITNESS, name=witness.name, **values)
        except IntegrityError:
            pass  # it exists with a larger size already (a concurrent submission): keep that


def _cosigners(signed: str, log_verifier: note.Verifier, witnesses: Sequence[Witness]) -> set[str]:
    try:
        _cp, opened = note.open_checkpoint(signed, log_verifier, [w.verifier for w in witnesses])
    except note.NoteError:
        return set()
    return {name for name, _kid, _ts in opened.cosignatures}


def _add_cosignatures(
    cp: Checkpoint, lines: dict[str, str], log_verifier: note.Verifier,
    witnesses: Sequence[Witness],
) -> None:
    """Add the cosignature lines to the row's ``cosigned`` note (compare-and-swap on it)."""
    from chancery.ledger.models import Checkpoint

    text, base = _split(cp.note)
    keys_of = {w.name: (w.verifier.name, w.verifier.key_id) for w in witnesses}
    replaced = {keys_of[name] for name in lines}
    for _ in range(5):
        current = Checkpoint.objects.values_list("cosigned", flat=True).get(pk=cp.pk)
        extra = []
        if current:
            _text, current_lines = _split(current)
            for line in current_lines:
                sig = note.parse_signature_line(line)
                if line not in base and (sig.name, sig.key_id) not in replaced:
                    extra.append(line)
        cosigned = text + "\n" + "".join(base) + "".join(extra) + "".join(lines.values())
        _cp, opened = note.open_checkpoint(cosigned, log_verifier, [w.verifier for w in witnesses])
        names = {name for name, _kid, _ts in opened.cosignatures}
        if not set(lines) <= names:  # cannot happen: each line was verified on receipt
            raise note.NoteError("a cosignature does not verify on the assembled note")
        if Checkpoint.objects.filter(pk=cp.pk, cosigned=current).update(cosigned=cosigned):
            return
    log.warning("checkpoint %d: could not store the cosignatures (the row kept changing)", cp.size)


def submit_to_witnesses(post: Poster | None = None) -> list[Outcome]:
    """Submit the log's current checkpoint to every configured witness; one outcome each.

    Witnesses whose cosignature the checkpoint already carries are not contacted, so calling
    this often is cheap. Never raises for a witness's failure (it is logged and in the outcome);
    must not be called inside a database transaction (it waits on the network).
    """
    from chancery.ledger.sequencer import TILE_CACHE, current_head, proof_tile

    post = post or http_post
    witnesses = configured_witnesses()
    head = current_head()
    if not witnesses or head is None:
        return []
    cp = head.checkpoint
    log_verifier = note.Verifier.from_text(head.vkey)
    _checkpoint, opened = note.open_checkpoint(cp.note, log_verifier)
    already = _cosigners(cp.cosigned, log_verifier, witnesses) if cp.cosigned else set()
    acknowledged = _acknowledged_sizes()
    reader = tiles.TileHashReader(cp.size, proof_tile, cache=TILE_CACHE)
    outcomes: list[Outcome] = []
    lines: dict[str, str] = {}
    for witness in witnesses:
        if witness.name in already:
            outcomes.append(Outcome(witness.name, cp.size, True, "already cosigned"))
            continue
        old = acknowledged.get(witness.name, 0)
        try:
            line = _submit_one(witness, cp, opened.text, reader, old, post)
        except Refused as exc:
            log.warning("witness %s refused checkpoint %d: %s", witness.name, cp.size, exc)
            outcomes.append(Outcome(witness.name, cp.size, False, str(exc)))
            continue
        except (OSError, ValueError) as exc:  # unreachable, timed out, or a tile missing
            log.warning("witness %s: checkpoint %d not submitted: %s", witness.name, cp.size, exc)
            outcomes.append(Outcome(witness.name, cp.size, False, f"{type(exc).__name__}: {exc}"))
            continue
        _acknowledge(witness, cp, line)
        lines[witness.name] = line
        outcomes.append(Outcome(witness.name, cp.size, True, line.strip()))
    if lines:
        _add_cosignatures(cp, lines, log_verifier, witnesses)
    return outcomes


def _acknowledged_sizes() -> dict[str, int]:
    from chancery.ledger.models import WitnessState

    return dict(WitnessState.objects.filter(role=ROLE_WITNESS).values_list("name", "size"))


class _Background:
    """One daemon thread that submits when woken (after a batch) and every RECHECK_INTERVAL."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def poke(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="witness-submitter", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait(RECHECK_INTERVAL)
            self._wake.clear()
            try:
                close_old_connections()
                submit_to_witnesses()
            except Exception:  # noqa: BLE001 - keep the thread; the next wake retries
                log.exception("witness submission failed")
            finally:
                connections.close_all()  # this thread's connections only


_background = _Background()


def submit_in_background() -> None:
    """Wake the submitter thread (starting it if need be) and return at once: the sequencer's
    ``after_batch``. Does nothing when no witness is configured."""
    if settings.CHANCERY_WITNESSES:
        _background.poke()


# --- Command -------------------------------------------------------------------------------------


@click.command("witness")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    envvar="CHANCERY_DATA_DIR",
    default=None,
    help="Folder for the database, keys, mail and logins (default ./chancery-data).",
)
def witness_command(data_dir: str | None) -> None:
    """Submit the current checkpoint to the witnesses (CHANCERY_WITNESSES) now."""
    from chancery.bootstrap import setup

    setup(data_dir)
    outcomes = submit_to_witnesses()
    if not outcomes:
        click.echo("no witnesses configured (CHANCERY_WITNESSES), or no log yet")
        return
    for outcome in outcomes:
        click.echo(str(outcome), err=not outcome.ok)
    if not all(outcome.ok for outcome in outcomes):
        raise SystemExit(1)
