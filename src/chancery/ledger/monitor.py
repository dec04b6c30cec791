"""``chancery monitor``: watch another Chancery's public log from the outside, with no database.

This is what a foreign ministry or a journalist runs. It needs only the log's URL prefix (for
example ``https://chancery.example/log``) and its verifier key, and it trusts nothing the server
says unless a signature or a hash chain back to a signed checkpoint vouches for it:

- Each poll fetches ``<base>/checkpoint`` and opens it with the log's key (and requires the
  cosignature of every witness key given). Size and root are taken only from that signed note.
- It compares the checkpoint with the last one it accepted, kept verbatim on disk. A smaller size
  means the log went backwards; the same size with another root is a fork; a larger size must be
  proven an extension of the old tree by an RFC 9162 consistency proof, computed from the
  server's hash tiles (``tiles.TileHashReader``) and verified against both signed roots. The
  tiles must also hash to the signed root. Only a checkpoint that passes all of this is saved.
- Its age is the newest time among the verified timestamped cosignatures (C2SP
  tlog-cosignature) of the keys the user gave: the witnesses' (``--witness``) and the log's own
  timestamp key (``--stamp-key``, from the log's ``/log/timestamp-key``), whose stamp the log
  renews every minute or so even when nothing new arrived. With ``max_age`` a checkpoint whose
  newest signed time is older fails: the log's sequencer has stopped, or a stale copy is served.
  A re-stamped checkpoint of the same size and root is the same tree, not a change.
- With ``entries``, it downloads every entry bundle not verified yet, checks that each entry is a
  canonical Chancery leaf, that its hash is the one in the level-0 tile, and that the leaves
  rebuild the signed root (:class:`merkle.Tree`, whose right edge is kept on disk, so a later run
  resumes where this one stopped). One bundle is held at a time, so memory stays flat.

Whatever does not verify raises :class:`MonitorError` with what was wrong and what it means;
signed checkpoints that contradict the accepted one are kept in ``<state>/evidence/`` so they can
be shown to others (a signed fork is proof of misbehaviour by the log's key holder).

State, one set of files per log origin in the state folder (``<stem>`` is the origin made safe
for a file name plus a hash of it), each written atomically (temporary file, fsync, rename):

- ``<stem>.checkpoint``: the last accepted checkpoint, the signed note exactly as served.
- ``<stem>.entries.json``: how far entry verification got:
  ``{"format": 1, "origin", "size", "root", "right_edge": [base64 hashes, largest subtree
  first], "proven_against": {"size", "root"}}``, where ``root`` is the root of the first
  ``size`` entries and ``proven_against`` is the signed checkpoint that prefix was proven part of.

Only the standard library and ``chancery.ledger.merkle``/``tiles``/``note`` (plus ``click`` for
the command); no Django.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.client
import json
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from chancery.ledger import merkle, note, tiles

__all__ = [
    "DEFAULT_STATE_DIR",
    "FetchError",
    "LEAF_FIELDS",
    "Monitor",
    "MonitorError",
    "Result",
    "Stamp",
    "check_leaf",
    "monitor_command",
]

DEFAULT_STATE_DIR = "~/.chancery-monitor"
DEFAULT_TIMEOUT = 20.0
"""Seconds to wait for the server to connect or send data before giving up."""

LEAF_VERSION = 2
LEAF_FIELDS = frozenset({"v", "kind", "subject", "at", "actor", "data"})
"""The keys of a version 2 Chancery leaf (``ledger.services.build_leaf``), no more, no less."""

STATE_FORMAT = 1
SAVE_EVERY = 64
"""Entry bundles (of 256 entries) between two saves of the entry verification progress."""

_MAX_CHECKPOINT_BYTES = 1 << 20
_MAX_BUNDLE_BYTES = tiles.TILE_WIDTH * (2 + tiles.MAX_ENTRY_SIZE)
_SUBJECT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*:[0-9]+")
_USER_AGENT = "chancery-monitor/1"


class MonitorError(Exception):
    """The log could not be checked, or what it serves does not verify; the message says which."""


class FetchError(MonitorError):
    """The server could not be reached, or answered with an HTTP error."""


# --- Results -------------------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class Result:
    """What one :meth:`Monitor.check` found (it only returns when everything verified)."""

    origin: str
    size: int
    root: bytes
    previous_size: int | None
    """The size of the checkpoint accepted before; None on the first run (trust on first use)."""
    changed: bool
    """Whether a new checkpoint was accepted (and saved) by this check."""
    state_file: Path
    entries_verified: int | None = None
    """With entry verification: how many entries are verified in all (the checkpoint's size)."""
    new_entries: int = 0
    """With entry verification: how many entries this check downloaded and verified."""
    stamp: Stamp | None = None
    """The newest verified timestamped cosignature of a key the user gave; None if none (or no
    such key was given)."""
    timed_keys: int = 0
    """How many keys the user gave whose timestamps count (witnesses and the stamp key)."""

    @property
    def age_text(self) -> str:
        """How old the newest signed timestamp is, for the end of a line ('' with no keys)."""
        if self.stamp is not None:
            return f"; {self.stamp}"
        if self.timed_keys:
            return "; no signed timestamp by the given keys"
        return ""

    @property
    def first_run(self) -> bool:
        return self.previous_size is None

    def lines(self) -> list[str]:
        """Human-readable lines for the command's output (empty when nothing happened)."""
        root = _b64(self.root)
        out: list[str] = []
        if self.first_run:
            out.append(
                f"first run: trusting {self.origin} at size {self.size} root {root} on first use "
                f"(no earlier checkpoint to compare it with); saved to {self.state_file}"
                + self.age_text
            )
        elif self.changed:
            out.append(
                f"size {self.size} root {root} consistent with {self.previous_size}"
                + self.age_text
            )
        if self.new_entries:
            out.append(
                f"entries: {self.new_entries} new, {self.entries_verified} in all verified "
                f"(canonical leaves, matching the hash tiles, rebuilding the signed root)"
            )
        return out


@dataclass(frozen=True)
class Stamp:
    """A verified timestamped cosignature: whose, when (Unix seconds), and how old it was when
    checked (seconds; negative if the signer's clock is ahead)."""

    key: str
    timestamp: int
    age: float

    @property
    def at(self) -> str:
        return dt.datetime.fromtimestamp(self.timestamp, dt.UTC).isoformat().replace("+00:00", "Z")

    def __str__(self) -> str:
        if self.age < 0:
            return f"signed timestamp {_duration(-self.age)} in the future ({self.at}, {self.key})"
        return f"signed timestamp {_duration(self.age)} old ({self.at}, {self.key})"


def _duration(seconds: float) -> str:
    """``42 s``, ``12 min 5 s``, ``3 h 4 min``, ``2 d 3 h``: how long, for people."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, sec = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {sec} s" if sec else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


# --- Leaves --------------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _canonical_json(obj: Any) -> bytes:
    """The encoding Chancery hashes (``ledger.services.canonical_json``), re-stated here so the
    monitor does not import Django: sorted keys, no spaces, UTF-8 with no escaping."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def check_leaf(entry: bytes, index: int | None = None) -> dict[str, Any]:
    """Parse a log entry and check it is a canonical version 1 Chancery leaf; return it.

    The log's promise is that each leaf has exactly one encoding (so two parties hashing "the
    same" event agree) and carries only identifiers, states, times and commitments. An entry that
    is not canonical JSON, or lacks or adds fields, raises :class:`MonitorError`.
    """
    where = "entry" if index is None else f"entry {index}"
    try:
        obj = json.loads(bytes(entry).decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise MonitorError(f"{where} is not valid UTF-8 (byte {exc.start})") from None
    except ValueError as exc:
        raise MonitorError(f"{where} is not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise MonitorError(f"{where} is JSON {type(obj).__name__}, not an object")
    if _canonical_json(obj) != bytes(entry):
        raise MonitorError(
            f"{where} is not canonical JSON (sorted keys, no spaces, unescaped UTF-8, no "
            "duplicate keys): the log must hash exactly one encoding of each leaf"
        )
    keys = set(obj)
    if keys != LEAF_FIELDS:
        missing = ", ".join(sorted(LEAF_FIELDS - keys)) or "none"
        extra = ", ".join(sorted(keys - LEAF_FIELDS)) or "none"
        raise MonitorError(
            f"{where} does not have the fields of a Chancery leaf (missing: {missing}; "
            f"unexpected: {extra})"
        )
    v = obj["v"]
    if not isinstance(v, int) or isinstance(v, bool) or v != LEAF_VERSION:
        raise MonitorError(
            f"{where} has leaf version {v!r}; this monitor checks version {LEAF_VERSION} "
            "(a newer log needs a newer monitor)"
        )
    if not isinstance(obj["kind"], str) or not obj["kind"]:
        raise MonitorError(f"{where}: 'kind' must be a non-empty string, not {obj['kind']!r}")
    if not isinstance(obj["subject"], str) or not _SUBJECT_RE.fullmatch(obj["subject"]):
        raise MonitorError(f"{where}: 'subject' must be '<type>:<id>', not {obj['subject']!r}")
    at = obj["at"]
    if not isinstance(at, str) or not at.endswith("Z"):
        raise MonitorError(f"{where}: 'at' must be an ISO 8601 UTC time ending in Z, not {at!r}")
    try:
        dt.datetime.fromisoformat(at[:-1] + "+00:00")
    except ValueError:
        raise MonitorError(f"{where}: 'at' is not an ISO 8601 time: {at!r}") from None
    actor = obj["actor"]
    if actor is not None and (not isinstance(actor, str) or not actor):
        raise MonitorError(f"{where}: 'actor' must be a user name or null, not {actor!r}")
    if not isinstance(obj["data"], dict):
        raise MonitorError(f"{where}: 'data' must be an object, not {obj['data']!r}")
    return obj


# --- Files ---------------------------------------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def state_stem(origin: str) -> str:
    """A file name stem for a log origin: readable, and distinct for distinct origins."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", origin).strip("._-")[:80] or "log"
    return f"{safe}-{hashlib.sha256(origin.encode('utf-8')).hexdigest()[:12]}"


# --- The monitor ---------------------------------------------------------------------------------


class Monitor:
    """Checks one log, given its URL prefix and verifier key, remembering what it saw in
    ``state_dir``. See the module docstring for what is checked and how state is kept."""

    save_every = SAVE_EVERY

    def __init__(
        self,
        base_url: str,
        vkey: str,
        state_dir: str | os.PathLike[str],
        witnesses: Sequence[str] = (),
        *,
        stamp_key: str | None = None,
        max_age: float | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        progress: Callable[[int, int], object] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        base = base_url.strip().rstrip("/")
        parts = urllib.parse.urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise MonitorError(
                f"{base_url!r} is not an http(s) URL; give the log's prefix, such as "
                "https://chancery.example/log"
            )
        self.base_url = base
        try:
            self.verifier = note.Verifier.from_text(vkey.strip())
        except note.NoteError as exc:
            raise MonitorError(
                f"the log key is not a verifier key (<name>+<hex8>+<base64>): {exc}; "
                "copy it from the log's /log/key page or from its operator"
            ) from None
        self.witnesses: list[note.NoteVerifier] = []
        for w in witnesses:
            try:
                self.witnesses.append(note.CosignatureVerifier.from_text(w.strip()))
            except note.NoteError as exc:
                raise MonitorError(f"the witness key {w!r} is not usable: {exc}") from None
        self.stamp_verifier: note.NoteVerifier | None = None
        if stamp_key:
            try:
                self.stamp_verifier = note.CosignatureVerifier.from_text(stamp_key.strip())
            except note.NoteError as exc:
                raise MonitorError(
                    f"the timestamp key {stamp_key!r} is not usable: {exc}; copy it from the "
                    "log's /log/timestamp-key page (a cosignature/v1 key, not the log key)"
                ) from None
        if max_age is not None and max_age <= 0:
            raise MonitorError(f"the maximum age must be more than 0 seconds, not {max_age:g}")
        if max_age is not None and not (self.witnesses or self.stamp_verifier):
            raise MonitorError(
                "a maximum age needs a key whose signed timestamps say how old the checkpoint "
                "is: give the log's timestamp key (--stamp-key, from its /log/timestamp-key) "
                "or a witness's key (--witness)"
            )
        self.max_age = max_age
        self.clock = clock
        self.state_dir = Path(state_dir).expanduser()
        self.timeout = timeout
        self.progress = progress

    # --- HTTP

    def _fetch(self, path: str, limit: int) -> bytes:
        """GET ``<base>/<path>``, at most ``limit`` bytes; FetchError on any failure."""
        url = f"{self.base_url}/{path}"
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            url, headers={"User-Agent": _USER_AGENT, "Cache-Control": "no-cache"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                data: bytes = response.read(limit + 1)
        except urllib.error.HTTPError as exc:
            detail = ""
            if (exc.headers.get("Content-Type") or "").startswith("text/plain"):
                try:  # our own server explains itself in plain text; an HTML page would be noise
                    detail = " ".join(exc.read(300).decode("utf-8", "replace").split())
                except OSError:
                    pass
            raise FetchError(
                f"{url} answered HTTP {exc.code} {exc.reason}"
                + (f": {detail}" if detail else "")
                + (" (is the URL the log's prefix, such as https://host/log?)" if exc.code == 404
                   and path == "checkpoint" else "")
            ) from None
        except urllib.error.URLError as exc:
            raise FetchError(
                f"cannot reach {url}: {exc.reason}; check the address and that the server is up"
            ) from None
        except TimeoutError:
            raise FetchError(f"{url} did not answer within {self.timeout:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"fetching {url} failed: {exc or type(exc).__name__}") from None
        if len(data) > limit:
            raise FetchError(f"{url} sent more than {limit} bytes; that is not a valid answer")
        return data

    def _read_tile(self, level: int, index: int, width: int) -> bytes:
        """``read_tile`` for :class:`tiles.TileHashReader`: a hash tile over HTTP. The reader
        checks its length; the hashes are authenticated by checking results against a signed
        root."""
        return self._fetch(tiles.tile_path(level, index, width), width * merkle.HASH_SIZE)

    # --- State

    def checkpoint_path(self, origin: str) -> Path:
        return self.state_dir / f"{state_stem(origin)}.checkpoint"

    def entries_path(self, origin: str) -> Path:
        return self.state_dir / f"{state_stem(origin)}.entries.json"

    def accepted(self, origin: str) -> tuple[note.Checkpoint, str] | None:
        """The last accepted checkpoint of ``origin`` and its note, re-verified; None if none."""
        path = self.checkpoint_path(origin)
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise MonitorError(f"cannot read the saved checkpoint {path}: {exc}") from None
        try:
            checkpoint, _ = note.open_checkpoint(text, self.verifier)
        except note.NoteError as exc:
            raise MonitorError(
                f"the saved checkpoint {path} does not verify with the log key "
                f"{self.verifier.vkey} ({exc}): either another --key was given on an earlier "
                "run, or the file was altered. Check the key; to start over, move the file away "
                "(the next run then trusts the log's current checkpoint on first use)"
            ) from None
        if checkpoint.origin != origin:
            raise MonitorError(f"the saved checkpoint {path} is for {checkpoint.origin!r}")
        return checkpoint, text

    def _evidence(
        self, origin: str, kind: str, served: str, accepted: str | None, message: str
    ) -> Path:
        """Keep the signed notes that contradict each other, for others to check. The folder is
        named after the served note's hash, so seeing the same note again adds nothing."""
        digest = hashlib.sha256(served.encode("utf-8")).hexdigest()[:12]
        folder = self.state_dir / "evidence" / f"{state_stem(origin)}-{kind}-{digest}"
        _write_atomic(folder / "served.checkpoint", served.encode("utf-8"))
        if accepted is not None:
            _write_atomic(folder / "accepted.checkpoint", accepted.encode("utf-8"))
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        _write_atomic(
            folder / "README.txt",
            (
                f"{stamp}: chancery monitor, {self.base_url}, log key {self.verifier.vkey}\n\n"
                f"{message}\n\naccepted.checkpoint: the checkpoint accepted earlier (signed note, "
                "verbatim)\nserved.checkpoint: the checkpoint the log served now (signed note, "
                "verbatim)\n"
            ).encode(),
        )
        return folder

    def _evidence_error(
        self, origin: str, kind: str, served: str, accepted: str | None, message: str, kept: str
    ) -> MonitorError:
        """Keep the evidence (see :meth:`_evidence`) and return the error to raise: ``message``,
        then ``kept``, a sentence saying where it is kept (its ``{folder}`` is filled in)."""
        folder = self._evidence(origin, kind, served, accepted, message)
        return MonitorError(f"{message} {kept.format(folder=folder)}")

    # --- Checks

    @property
    def timed_keys(self) -> list[note.NoteVerifier]:
        """The keys whose timestamps say how old a checkpoint is: witnesses, then the stamp's."""
        return self.witnesses + ([self.stamp_verifier] if self.stamp_verifier else [])

    def _open(self, text: str) -> tuple[note.Checkpoint, note.OpenedNote]:
        url = f"{self.base_url}/checkpoint"
        try:
            checkpoint, opened = note.open_checkpoint(text, self.verifier, self.timed_keys)
        except note.UnverifiedNoteError as exc:
            names = []
            for line in exc.note.unverified:
                try:
                    sig = note.parse_signature_line(line.rstrip("\n"))
                    names.append(f"{sig.name}+{sig.key_id:08x}")
                except note.NoteError:
                    names.append("?")
            raise MonitorError(
                f"the checkpoint at {url} is not signed by the log key {self.verifier.vkey} "
                f"(it is signed by {', '.join(names) or 'nobody'}): either the key given is not "
                "this log's, or the server (or something in between) serves a checkpoint the log "
                "did not sign. Do not trust it."
            ) from None
        except note.NoteError as exc:
            raise MonitorError(
                f"the checkpoint at {url} does not verify: {exc}. It was altered, or it is not a "
                "checkpoint of this log. Do not trust it."
            ) from None
        if checkpoint.origin != self.verifier.name:
            # Chancery signs with a key named after its origin. Insisting on it also binds the
            # state (kept per origin) to the key: a log cannot escape its history by signing
            # checkpoints under a new origin, which would otherwise be trusted on first use.
            raise MonitorError(
                f"the checkpoint at {url} is for the origin {checkpoint.origin!r}, but the log "
                f"key is named {self.verifier.name!r}: a Chancery log signs its checkpoints with "
                "a key named after its origin, so this is not a checkpoint of that log"
            )
        missing = [w for w in self.witnesses if (w.name, w.key_id) not in opened.verified]
        if missing:
            raise MonitorError(
                f"the checkpoint at {url} (size {checkpoint.size}) is not cosigned by the "
                f"witness{'es' if len(missing) > 1 else ''} "
                f"{', '.join(w.vkey for w in missing)}: a checkpoint no witness has seen may be "
                "a view shown only to you. If the witness is merely slow, try again later."
            )
        return checkpoint, opened

    def _stamp(self, opened: note.OpenedNote) -> Stamp | None:
        """The newest verified timestamped cosignature of a key given, with its age now."""
        timed = {(k.name, k.key_id): k.vkey for k in self.timed_keys}
        found = [(ts, name, kid) for name, kid, ts in opened.cosignatures if (name, kid) in timed]
        if not found:
            return None
        ts, name, kid = max(found)
        return Stamp(key=timed[(name, kid)], timestamp=ts, age=self.clock() - ts)

    def _check_age(self, checkpoint: note.Checkpoint, stamp: Stamp | None) -> None:
        if self.max_age is None:
            return
        url = f"{self.base_url}/checkpoint"
        if stamp is None:
            given = ", ".join(k.vkey for k in self.timed_keys)
            raise MonitorError(
                f"the checkpoint at {url} (size {checkpoint.size}) carries no timestamped "
                f"cosignature by any key given ({given}), so its age cannot be told and "
                f"--max-age {self.max_age:g} cannot be met: the log does not stamp its "
                "checkpoints (an older Chancery), the key given is not its timestamp key (see "
                "its /log/timestamp-key), or something in between strips the stamp"
            )
        if stamp.age > self.max_age:
            raise MonitorError(
                f"the checkpoint at {url} (size {checkpoint.size}) is stale: its newest signed "
                f"timestamp is {_duration(stamp.age)} old ({stamp.at}, by {stamp.key}), older "
                f"than --max-age {_duration(self.max_age)}. A live log re-stamps its checkpoint "
                "every minute or so even when nothing new arrives, so either its sequencer has "
                "stopped (new events are not being published, and senders get no proofs), or a "
                "stale copy of the checkpoint is being served (a cache, a mirror, or a view held "
                "back from you)"
            )

    def check(self, entries: bool = False) -> Result:
        """Fetch the log's checkpoint, verify it against the last accepted one, save it.

        With ``entries``, also verify every entry up to the new size (see
        :meth:`verify_entries`) before saving. Raises :class:`MonitorError` on any failure, and
        then nothing new is saved (entry verification progress that was proven part of a signed
        tree is kept).
        """
        raw = self._fetch("checkpoint", _MAX_CHECKPOINT_BYTES)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise MonitorError(
                f"{self.base_url}/checkpoint is not UTF-8 text, so not a checkpoint"
            ) from None
        new, opened = self._open(text)
        stamp = self._stamp(opened)
        accepted = self.accepted(new.origin)
        if accepted is None:
            previous: int | None = None
            self._check_tiles_root(new, text, None)
            changed = True
        else:
            old, old_text = accepted
            previous = old.size
            changed = new.size != old.size
            if new.size < old.size:
                msg = (
                    f"the log went backwards: it now serves size {new.size}, but this monitor "
                    f"accepted size {old.size} (root {_b64(old.root)}) earlier. A log never "
                    "shrinks; it is serving an old state (a stale copy or a rollback) or hiding "
                    "entries."
                )
                kept = "Both signed checkpoints are kept in {folder}."
                raise self._evidence_error(new.origin, "backwards", text, old_text, msg, kept)
            if new.size == old.size and new.root != old.root:
                msg = (
                    f"fork: the log signed two different roots for size {new.size}: "
                    f"{_b64(old.root)} (accepted earlier) and {_b64(new.root)} (served now). "
                    "Its key holder has shown different histories to different people, or "
                    "rewritten history."
                )
                kept = (
                    "Both signed checkpoints are kept in {folder}: together they are proof of it."
                )
                raise self._evidence_error(new.origin, "fork", text, old_text, msg, kept)
            if new.size > old.size:
                self._check_consistency(old, new, old_text, text)
        result_entries: int | None = None
        new_entries = 0
        if entries:
            new_entries = self.verify_entries(new)
            result_entries = new.size
        if changed:
            _write_atomic(self.checkpoint_path(new.origin), raw)
        self._check_age(new, stamp)
        return Result(
            origin=new.origin,
            size=new.size,
            root=new.root,
            previous_size=previous,
            changed=changed,
            state_file=self.checkpoint_path(new.origin),
            entries_verified=result_entries,
            new_entries=new_entries,
            stamp=stamp,
            timed_keys=len(self.timed_keys),
        )

    @staticmethod
    def _extends(
        reader: tiles.TileHashReader, size: int, root: bytes, signed: note.Checkpoint, what: str
    ) -> bool:
        """Whether the tree of ``size`` and ``root`` is a prefix of the ``signed`` tree, by a
        consistency proof computed from the tiles ``reader`` (for ``signed.size``) reads. A
        malformed tile raises :class:`MonitorError`; ``what`` names the tiles in it."""
        try:
            proof = reader.consistency_proof(size)
        except tiles.TileError as exc:
            raise MonitorError(f"{what} is malformed: {exc}") from None
        return merkle.verify_consistency(size, signed.size, root, signed.root, proof)

    def _check_tiles_root(
        self, new: note.Checkpoint, text: str, old_text: str | None
    ) -> tiles.TileHashReader:
        reader = tiles.TileHashReader(new.size, self._read_tile)
        try:
            root = reader.root()
        except tiles.TileError as exc:
            raise MonitorError(
                f"a hash tile of the tree of size {new.size} is malformed: {exc}"
            ) from None
        if root != new.root:
            msg = (
                f"the hash tiles served for size {new.size} give the root {_b64(root)}, but the "
                f"signed checkpoint says {_b64(new.root)}: the tiles were altered (on the server "
                "or on the way) or the log signed a tree it does not publish. The log cannot be "
                "checked until it serves tiles that match its checkpoint."
            )
            raise self._evidence_error(
                new.origin, "tiles", text, old_text, msg, "The checkpoint is kept in {folder}."
            )
        return reader

    def _check_consistency(
        self, old: note.Checkpoint, new: note.Checkpoint, old_text: str, text: str
    ) -> None:
        reader = self._check_tiles_root(new, text, old_text)
        tiles_what = f"a hash tile of the tree of size {new.size}"
        if not self._extends(reader, old.size, old.root, new, tiles_what):
            msg = (
                f"fork: the log's tree of size {new.size} (root {_b64(new.root)}) does not "
                f"extend the tree of size {old.size} (root {_b64(old.root)}) that this monitor "
                "accepted earlier: the log rewrote its history, or shows different histories to "
                "different people."
            )
            kept = (
                "Both signed checkpoints are kept in {folder}: together with the tiles they are "
                "proof of it."
            )
            raise self._evidence_error(new.origin, "inconsistent", text, old_text, msg, kept)

    # --- Entries

    def _load_entries(self, origin: str) -> merkle.Tree:
        path = self.entries_path(origin)
        try:
            state = json.loads(path.read_bytes())
        except FileNotFoundError:
            return merkle.Tree()
        except (OSError, ValueError) as exc:
            raise MonitorError(f"cannot read {path}: {exc}; move it away to start over") from None
        try:
            if state["format"] != STATE_FORMAT or state["origin"] != origin:
                raise ValueError("another format or origin")
            edge = [base64.b64decode(h, validate=True) for h in state["right_edge"]]
            tree = merkle.Tree.from_right_edge(int(state["size"]), edge)
            if tree.root() != base64.b64decode(state["root"], validate=True):
                raise ValueError("its right edge does not give its root")
        except (KeyError, TypeError, ValueError) as exc:
            raise MonitorError(
                f"{path} is not valid entry verification state ({exc}); move it away to start "
                "over (every entry is then downloaded again)"
            ) from None
        return tree

    def _save_entries(self, origin: str, tree: merkle.Tree, proven: note.Checkpoint) -> None:
        state = {
            "format": STATE_FORMAT,
            "origin": origin,
            "size": tree.size,
            "root": _b64(tree.root()),
            "right_edge": [_b64(h) for h in tree.right_edge],
            "proven_against": {"size": proven.size, "root": _b64(proven.root)},
        }
        _write_atomic(self.entries_path(origin), (json.dumps(state, indent=1) + "\n").encode())

    def verify_entries(self, checkpoint: note.Checkpoint | None = None) -> int:
        """Verify every entry of the log up to ``checkpoint`` (default: the accepted one) that
        earlier runs have not verified; return how many were verified now.

        Each entry bundle is downloaded once, with its level-0 hash tile: every entry must be a
        canonical Chancery leaf (:func:`check_leaf`) whose leaf hash is the tile's, and the
        leaves appended to the saved right edge must rebuild the signed root. Every
        :attr:`save_every` bundles the progress is saved, but only after a consistency proof
        shows that the prefix verified so far is part of the signed tree, so saved state never
        holds a hash the log did not sign. ``checkpoint`` must be one whose signature was checked.
        """
        if checkpoint is None:
            found = self._latest_accepted()
            if found is None:
                raise MonitorError("no checkpoint has been accepted yet; run a check first")
            checkpoint = found
        origin, size = checkpoint.origin, checkpoint.size
        tree = self._load_entries(origin)
        start = tree.size
        if start > size:
            raise MonitorError(
                f"the log went backwards: {start} entries were verified against a signed "
                f"checkpoint earlier, but the log's checkpoint now has size {size}"
            )
        reader = tiles.TileHashReader(size, self._read_tile)
        width_all = tiles.TILE_WIDTH
        first_bundle = start // width_all
        last_bundle = -(-size // width_all) if start < size else first_bundle  # exclusive
        done = 0
        for n in range(first_bundle, last_bundle):
            width = tiles.tile_width(None, n, size)
            path = tiles.entries_path(n, width)
            data = self._fetch(path, min(_MAX_BUNDLE_BYTES, width * (2 + tiles.MAX_ENTRY_SIZE)))
            try:
                bundle = tiles.decode_entries(data, expected=width)
            except tiles.TileError as exc:
                raise MonitorError(f"the entry bundle {path} is malformed: {exc}") from None
            hash_tile = self._read_tile(0, n, width)
            if len(hash_tile) != width * merkle.HASH_SIZE:
                raise MonitorError(
                    f"the hash tile {tiles.tile_path(0, n, width)} has {len(hash_tile)} bytes, "
                    f"not {width * merkle.HASH_SIZE}"
                )
            base = n * width_all
            for j, entry in enumerate(bundle):
                index = base + j
                h = merkle.leaf_hash(entry)
                if h != hash_tile[j * merkle.HASH_SIZE : (j + 1) * merkle.HASH_SIZE]:
                    raise MonitorError(
                        f"entry {index} in {path} does not hash to its leaf hash in "
                        f"{tiles.tile_path(0, n, width)}: the entry bundle or the hash tile was "
                        "altered, so the entries served are not the ones the log signed"
                    )
                if index >= start:  # entries before were verified and hashed by an earlier run
                    check_leaf(entry, index)
                    tree.append(h)
            done += 1
            if tree.size < size and done % self.save_every == 0:
                self._save_proven_prefix(tree, reader, checkpoint)
                if self.progress is not None:
                    self.progress(tree.size, size)
        if tree.root() != checkpoint.root:
            raise MonitorError(
                f"the {size} entries served rebuild the root {_b64(tree.root())}, but the signed "
                f"checkpoint says {_b64(checkpoint.root)}: the entries do not match what the log "
                "signed"
            )
        self._save_entries(origin, tree, checkpoint)
        return size - start

    def _save_proven_prefix(
        self, tree: merkle.Tree, reader: tiles.TileHashReader, checkpoint: note.Checkpoint
    ) -> None:
        """Save the progress of a long verification, once proven part of the signed tree."""
        if not self._extends(reader, tree.size, tree.root(), checkpoint, "a hash tile"):
            raise MonitorError(
                f"the first {tree.size} entries served are not a prefix of the tree the log "
                f"signed at size {checkpoint.size}: the entries or tiles were altered"
            )
        self._save_entries(checkpoint.origin, tree, checkpoint)

    def _latest_accepted(self) -> note.Checkpoint | None:
        found: list[note.Checkpoint] = []
        for path in sorted(self.state_dir.glob("*.checkpoint")):
            try:
                cp, _ = note.open_checkpoint(path.read_text("utf-8"), self.verifier)
            except (OSError, UnicodeDecodeError, note.NoteError):
                continue
            if path == self.checkpoint_path(cp.origin):
                found.append(cp)
        if len(found) > 1:
            raise MonitorError(
                f"{self.state_dir} holds checkpoints of several origins signed by this key; "
                "pass the checkpoint to verify"
            )
        return found[0] if found else None


# --- The command ---------------------------------------------------------------------------------


@click.command("monitor")
@click.argument("url")
@click.option("--key", "vkey", required=True, help="The log's verifier key (from its /log/key).")
@click.option(
    "--witness",
    "witnesses",
    multiple=True,
    help="A witness's verifier key whose cosignature every checkpoint must carry (repeatable);"
    " its timestamp counts for the checkpoint's age.",
)
@click.option(
    "--stamp-key",
    default=None,
    help="The log's timestamp key (from its /log/timestamp-key): its stamp, renewed even when "
    "the log is idle, says how old the checkpoint is. Checked when present.",
)
@click.option(
    "--max-age",
    default=None,
    type=click.FloatRange(min=0, min_open=True),
    help="Fail when the checkpoint's newest signed timestamp (by --stamp-key or a --witness) is "
    "older than this many seconds, or when it has none.",
)
@click.option(
    "--state",
    "state_dir",
    default=DEFAULT_STATE_DIR,
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder where the last accepted checkpoint and the verification progress are kept.",
)
@click.option(
    "--entries",
    is_flag=True,
    help="Also download and verify every entry (only those not verified by earlier runs).",
)
@click.option("--once", is_flag=True, help="Check once and exit.")
@click.option(
    "--interval",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds between two polls.",
)
@click.option(
    "--timeout",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds to wait for the server.",
)
def monitor_command(
    url: str,
    vkey: str,
    witnesses: tuple[str, ...],
    stamp_key: str | None,
    max_age: float | None,
    state_dir: str,
    entries: bool,
    once: bool,
    interval: float,
    timeout: float,
) -> None:
    """Watch the transparency log at URL (its prefix, e.g. https://chancery.example/log).

    Each new checkpoint must be signed by --key (and cosigned by every --witness) and be
    consistent with the last one this monitor accepted; with --entries every entry is checked
    too; with --max-age its newest signed timestamp must be recent. One line is printed per new
    checkpoint, with the age of its newest signed timestamp; on any failure the problem goes to
    stderr and the exit status is 1. Needs no database: only the URL and the keys.
    """

    def progress(done: int, total: int) -> None:
        if total and done < total:
            click.echo(f"  {done:,} of {total:,} entries verified", err=True)

    try:
        monitor = Monitor(
            url, vkey, state_dir, witnesses, stamp_key=stamp_key, max_age=max_age,
            timeout=timeout, progress=progress,
        )
        while True:
            result = monitor.check(entries=entries)
            lines = result.lines()
            if once and not lines:
                lines = [f"size {result.size} root {_b64(result.root)} unchanged{result.age_text}"]
            for line in lines:
                click.echo(line)
            if once:
                return
            time.sleep(interval)
    except MonitorError as exc:
        click.echo(f"FAILED: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:  # stopping a monitor is not a failure
        return
