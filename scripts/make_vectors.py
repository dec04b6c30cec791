#!/usr/bin/env python3
"""Write Chancery's transparency-log test vectors (``tests/ledger/vectors/``), deterministically.

Usage:
    python scripts/make_vectors.py [DIR]      (default: tests/ledger/vectors next to this script)

Everything is derived from fixed inputs, so running it twice gives the same bytes: Ed25519
signatures are deterministic (RFC 8032), the keys come from fixed seeds, and the 1,000 leaves
are canonical-JSON events shaped exactly like the ones Chancery logs (the leaf format of
``chancery.ledger.services.build_leaf``, rebuilt here without Django), with fixed times, salts
and texts. Only the log's pure modules are used (``merkle``, ``tiles``, ``note``, ``proof``): no
database, no settings. ``tests/test_vectors.py`` regenerates the directory in a temporary folder
and requires byte-for-byte equality with the committed files, so any change of format is a
deliberate one (re-run this script and commit the result).

THE KEYS IN THE OUTPUT ARE TEST KEYS. Their seeds are public (below); never use them for a log.

The layout is described in the README.md this script writes next to the vectors, and in
docs/transparency.md ("Test vectors").
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from chancery.ledger import merkle, note, proof, tiles  # noqa: E402

# --- Fixed inputs (TEST ONLY) -------------------------------------------------------------------

ORIGIN = "chancery.invalid/test-vectors"
"""The log's origin and key name. ``.invalid`` (RFC 2606): no real log is ever called that."""
WITNESS_NAME = "chancery.invalid/test-witness"
LOG_SEED = hashlib.sha256(b"chancery test vectors: log signing key (TEST ONLY)").digest()
WITNESS_SEED = hashlib.sha256(b"chancery test vectors: witness key (TEST ONLY)").digest()
WITNESS_TIME = 1_737_374_400  # 2025-01-20T12:00:00Z, the cosignature's timestamp

SIZE = 1000
"""Leaves in the tree."""
CHECKPOINT_SIZES = (0, 1, 2, 255, 256, 257, 1000)
"""Tree sizes with a signed checkpoint (and, for each, its hash tiles and entry bundles)."""
INCLUSION = (
    (0, 1), (0, 2), (1, 2), (0, 255), (254, 255), (255, 256), (0, 257), (256, 257),
    (0, 1000), (1, 1000), (255, 1000), (256, 1000), (511, 1000), (767, 1000), (768, 1000),
    (998, 1000), (999, 1000),
)
"""(index, tree size) pairs with a tlog-proof@v1 file."""
CONSISTENCY = (
    (0, 1000), (1, 2), (1, 257), (2, 255), (255, 256), (256, 257), (1, 1000), (2, 1000),
    (255, 1000), (256, 1000), (257, 1000), (1000, 1000),
)
"""(old size, new size) pairs with a consistency proof file."""

LEAF_VERSION = 2
PRIVATE = {
    "message.delivered": {"reason"}, "hold.placed": {"reason"}, "hold.released": {"reason"},
}
"""The private fields of the kinds used here, as their apps declare them (``ledger.kinds``)."""
USERS = {
    "liaison.ca": "20412", "liaison.fr": "20413", "officer.one": "20414", "officer.two": "20415",
    "staffer.pe": "20416",
}
"""The user ids the actors' commitments cover (leaf version 2: the id, not the name)."""
START = dt.datetime(2025, 1, 20, 12, 0, tzinfo=dt.UTC)
PRINCIPALS = ("president-elect", "vice-president-elect")
SENDERS = ((1, "Canada", "portal"), (2, "France", "api"), (1, "Canada", "diplomatic_note"))

SKEY_WARNING = "TEST ONLY: this signing key's seed is public (scripts/make_vectors.py)."


# --- The leaves ---------------------------------------------------------------------------------


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8 (as ``services.canonical_json``)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def text_commitment(salt: str, text: str) -> str:
    """The commitment standing in a leaf for free text (``services.text_commitment``)."""
    return "sha256:" + hashlib.sha256(bytes.fromhex(salt) + text.encode()).hexdigest()


def leaf_bytes(spec: dict[str, Any]) -> bytes:
    """The leaf of one event: what ``services.build_leaf(**spec)`` returns, rebuilt here."""
    data, salt, actor = spec["data"], spec["salt"], spec["actor"]
    if salt:
        data = {
            k: text_commitment(salt, v) if k in PRIVATE.get(spec["kind"], ()) and v else v
            for k, v in data.items()
        }
        actor = text_commitment(salt, actor) if actor else actor
    at: dt.datetime = spec["at"]
    return canonical_json(
        {
            "v": LEAF_VERSION,
            "kind": spec["kind"],
            "subject": f"{spec['subject_type']}:{spec['subject_id']}",
            "at": at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "actor": actor,
            "data": data,
        }
    )


def _salt(label: str) -> str:
    """A fixed 16-byte salt in hex (Chancery draws these with ``secrets.token_hex(16)``)."""
    return hashlib.sha256(f"chancery test vectors: salt {label}".encode()).hexdigest()[:32]


def message_body(k: int) -> str:
    """The text of vector message ``k`` (never in the log: only its salted commitment is)."""
    return (
        f"Message {k}. Félicitations et meilleurs vœux, Monsieur le Président élu. "
        "Congratulations and best wishes. 祝贺."
    )


def message_commitment(k: int) -> tuple[str, str]:
    """(salt, commitment) of message ``k``: ``hex(SHA-256(salt || UTF-8 body))``."""
    salt = _salt(f"message {k}")
    return salt, hashlib.sha256(bytes.fromhex(salt) + message_body(k).encode()).hexdigest()


def _events() -> Iterator[dict[str, Any]]:
    """An endless, fixed stream of events: messages received, triaged, held, delivered."""
    n = 0  # events so far: each is one second after the previous

    def event(k: int, kind: str, actor: str | None, data: dict[str, Any]) -> Any:
        # Chancery draws a salt for every event with an actor (whose id is committed) or
        # with free text; system events without free text have none.
        nonlocal n
        private = actor is not None or bool(PRIVATE.get(kind, set()).intersection(data))
        salt = _salt(f"event {n}") if private else ""
        at = START + dt.timedelta(seconds=n, microseconds=(n * 7919) % 1_000_000 if n % 3 else 0)
        n += 1
        tracking = f"CH-2025-{k:06d}"
        principal = PRINCIPALS[k % 2]
        return {
            "kind": kind,
            "subject_type": "message",
            "subject_id": k,
            "at": at,
            "actor": USERS[actor] if actor else None,
            "data": {"tracking": tracking, "principal": principal, **data},
            "salt": salt,
        }

    k = 0
    while True:
        k += 1
        office, sender, channel = SENDERS[k % 3]
        _salt_k, commitment = message_commitment(k)
        received = START + dt.timedelta(seconds=n)
        yield event(
            k, "message.received", "liaison.ca" if office == 1 else "liaison.fr",
            {
                "sender": sender, "office": office, "channel": channel,
                "commitment": commitment, "attachments": k % 2,
                "due": (received + dt.timedelta(hours=24)).isoformat(),
                "received_at": received.isoformat(),
            },
        )
        if k % 7 == 0:  # a system event: no actor, no free text, no salt
            yield event(k, "hold.policy", None, {"hold": 1000 + k, "waits_for": "ascertained"})
        if k % 5 == 0:
            yield event(
                k, "hold.placed", "officer.one",
                {"hold": k, "category": "security", "reason": f"Screening of message {k}.",
                 "expires": (received + dt.timedelta(hours=12)).isoformat()},
            )
            yield event(
                k, "hold.confirmed", "officer.two",
                {"hold": k, "expires": (received + dt.timedelta(hours=72)).isoformat()},
            )
            yield event(
                k, "hold.released", "officer.one", {"hold": k, "reason": f"Message {k} cleared."}
            )
        yield event(k, "message.triaged", "officer.one", {"noted": k % 4 == 0})
        yield event(k, "message.delivered", "officer.two", {"reason": ""})
        if k % 2:
            yield event(k, "message.acknowledged", "staffer.pe", {})


def leaf_specs(count: int = SIZE) -> list[dict[str, Any]]:
    """The ``build_leaf`` arguments of the first ``count`` vector events."""
    out: list[dict[str, Any]] = []
    for spec in _events():
        if len(out) == count:
            break
        out.append(spec)
    return out


# --- Keys ---------------------------------------------------------------------------------------


def log_signer() -> note.Signer:
    return note.Signer(ORIGIN, Ed25519PrivateKey.from_private_bytes(LOG_SEED))


def witness_signer() -> note.CosignatureSigner:
    return note.CosignatureSigner(WITNESS_NAME, Ed25519PrivateKey.from_private_bytes(WITNESS_SEED))


def _skey_text(name: str, alg: int, seed: bytes, key_id: int) -> str:
    b64 = base64.b64encode(bytes([alg]) + seed).decode()
    return f"PRIVATE+KEY+{name}+{key_id:08x}+{b64}"


# --- Output -------------------------------------------------------------------------------------


def _hash_tiles(leaf_hashes: list[bytes], size: int) -> dict[tuple[int, int], bytes]:
    """Every hash tile of the tree of ``size`` leaves, as the sequencer builds them."""
    update = tiles.extend(0, lambda *a: b"", leaf_hashes[:size])
    return update.tiles


def build(out: Path) -> list[Path]:
    """Write the vectors under ``out`` (created if needed); returns the files written, sorted."""
    written: list[Path] = []

    def put(rel: str, data: bytes | str) -> None:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        written.append(path)

    signer, witness = log_signer(), witness_signer()
    specs = leaf_specs()
    leaves = [leaf_bytes(s) for s in specs]
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]

    put("key", signer.vkey + "\n")
    put("TEST-ONLY.skey", _skey_text(ORIGIN, note.ALG_ED25519, LOG_SEED, signer.key_id) + "\n")
    put("witness.vkey", witness.vkey + "\n")
    put(
        "TEST-ONLY-witness.skey",
        _skey_text(WITNESS_NAME, note.ALG_COSIGNATURE_V1, WITNESS_SEED, witness.key_id) + "\n",
    )

    put("leaves.jsonl", b"".join(leaf + b"\n" for leaf in leaves))
    put("leaf-hashes.txt", "".join(f"{i} {h.hex()}\n" for i, h in enumerate(hashes)))
    tree = merkle.Tree()
    roots = [f"0 {tree.root().hex()}\n"]
    for h in hashes:
        tree.append(h)
        roots.append(f"{tree.size} {tree.root().hex()}\n")
    put("roots.txt", "".join(roots))

    examples = []
    for k in (1, 5):
        salt, commitment = message_commitment(k)
        index = next(
            i
            for i, s in enumerate(specs)
            if s["subject_id"] == k and s["kind"] == "message.received"
        )
        examples.append(
            {"tracking": f"CH-2025-{k:06d}", "leaf_index": index, "body": message_body(k),
             "salt": salt, "commitment": commitment}
        )
    hold = next(i for i, s in enumerate(specs) if s["kind"] == "hold.placed")
    spec = specs[hold]
    for field, text in (("reason", spec["data"]["reason"]), ("actor", spec["actor"])):
        examples.append(
            {"leaf_index": hold, "field": field, "text": text, "salt": spec["salt"],
             "commitment": text_commitment(spec["salt"], text)}
        )
    put("commitments.json", json.dumps(examples, indent=2, ensure_ascii=False) + "\n")

    notes: dict[int, str] = {}
    for size in CHECKPOINT_SIZES:
        root = merkle.root(hashes[:size])
        text = note.sign_note(note.Checkpoint(ORIGIN, size, root).body(), signer)
        notes[size] = text
        put(f"checkpoints/{size}", text)
    top = notes[SIZE]
    put("checkpoint", top)
    body = note.Checkpoint(ORIGIN, SIZE, merkle.root(hashes)).body()
    put(f"checkpoints/{SIZE}.cosigned", top + witness.cosign(body, WITNESS_TIME))

    # Hash tiles and entry bundles of every checkpoint's tree (full tiles are shared).
    files: dict[str, bytes] = {}
    for size in CHECKPOINT_SIZES:
        hash_tiles = _hash_tiles(hashes, size)
        for ref in tiles.tiles_for_size(size):
            if ref.level is None:
                start = ref.index * tiles.TILE_WIDTH
                data = tiles.encode_entries(leaves[start : start + ref.width])
            else:
                data = hash_tiles[(ref.level, ref.index)]
            previous = files.setdefault(ref.path, data)
            assert previous == data, ref.path
    for path in sorted(files):
        put(path, files[path])

    for index, size in INCLUSION:
        text = proof.format_proof(
            proof.TlogProof(
                index=index,
                hashes=tuple(merkle.inclusion_proof(index, hashes[:size])),
                checkpoint=notes[size],
                extra=leaves[index],
            )
        )
        put(f"proofs/inclusion/{index}-{size}.tlog-proof", text)
    for old, new in CONSISTENCY:
        body_bytes = note.format_add_checkpoint(
            old, merkle.consistency_proof(old, new, hashes), notes[new]
        )
        put(f"proofs/consistency/{old}-{new}.add-checkpoint", body_bytes)

    put("README.md", _readme(signer.vkey, witness.vkey))
    return sorted(written)


def _readme(vkey: str, wkey: str) -> str:
    sizes = ", ".join(map(str, CHECKPOINT_SIZES))
    return f"""\
# Chancery transparency-log test vectors

**TEST ONLY.** Generated by `scripts/make_vectors.py`; do not edit by hand (re-run the script).
`tests/test_vectors.py` regenerates them and requires identical bytes; `tests/test_interop.py`
checks them with Go's `golang.org/x/mod/sumdb/tlog` and `sumdb/note` (`tests/ledger/interop/verify.go`).
The signing keys here (`TEST-ONLY*.skey`) have public seeds: never use them for a real log.

- Log: origin and key name `{ORIGIN}`; verifier key (`key`):
  `{vkey}`
- Witness (cosignature/v1): `witness.vkey`:
  `{wkey}`
- `leaves.jsonl`: the {SIZE} entries, one canonical-JSON leaf per line (leaf format version
  {LEAF_VERSION}, as `chancery.ledger.services.build_leaf` writes them).
- `leaf-hashes.txt`: `<index> <hex SHA-256(0x00 || leaf)>` for each leaf.
- `roots.txt`: `<size> <hex root>` of the tree of the first `size` leaves, for every size
  from 0 (SHA-256 of the empty string) to {SIZE}.
- `checkpoint`, `checkpoints/<size>`: C2SP tlog-checkpoint signed notes for sizes {sizes};
  `checkpoint` is the one at {SIZE}. `checkpoints/{SIZE}.cosigned` also carries the
  witness's cosignature/v1 line (timestamp {WITNESS_TIME}).
- `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`: C2SP tlog-tiles hash tiles and entry
  bundles of every checkpoint's tree, partial tiles included.
- `proofs/inclusion/<index>-<size>.tlog-proof`: C2SP tlog-proof@v1 for leaf `index` in the
  checkpoint of `size`, with the leaf itself as `extra`.
- `proofs/consistency/<old>-<new>.add-checkpoint`: a consistency proof from size `old` to
  `new` in the C2SP tlog-witness add-checkpoint body format: `old <old>`, one base64 hash per
  line, an empty line, then the signed checkpoint of size `new`. The old tree's root is in
  `checkpoints/<old>` (or `roots.txt`).
- `commitments.json`: how commitments are recomputed: message texts (`hex(SHA-256(salt ||
  UTF-8 text))` in `data.commitment`), and a free-text reason and an actor's user id
  (`"sha256:" + hex(SHA-256(salt || UTF-8 text))` in place of the value), with their salts and
  the index of the leaf that carries them.
"""


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "tests" / "ledger" / "vectors"
    files = build(out)
    print(f"wrote {len(files)} files under {out}")
    stale = sorted(set(p for p in out.rglob("*") if p.is_file()) - set(files))
    for path in stale:
        print(f"warning: {path} is not a vector any more; remove it", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
