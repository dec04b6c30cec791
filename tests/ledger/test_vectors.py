"""Chancery's own transparency-log test vectors (tests/ledger/vectors, made by
scripts/make_vectors.py).

The committed files must be exactly what the script generates (so a change of any format shows
up here and is made on purpose: re-run ``python scripts/make_vectors.py`` and commit), and every
checkpoint, tile, entry bundle and proof in them must verify with our own verifiers, computed
independently of how the script made them where possible (tiles from ``merkle.subtree_root``
rather than ``tiles.extend``, proofs with ``verify_*`` rather than by comparison).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from chancery.ledger import merkle, note, proof, tiles

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "ledger" / "vectors"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_vectors", ROOT / "scripts/make_vectors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_vectors", module)
    spec.loader.exec_module(module)
    return module


make_vectors = _load_script()


def _files(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def leaves() -> list[bytes]:
    return [line for line in (VECTORS / "leaves.jsonl").read_bytes().split(b"\n") if line]


@pytest.fixture(scope="module")
def hashes(leaves: list[bytes]) -> list[bytes]:
    return [merkle.leaf_hash(leaf) for leaf in leaves]


@pytest.fixture(scope="module")
def verifier() -> note.Verifier:
    return note.Verifier.from_text((VECTORS / "key").read_text().strip())


def test_the_committed_vectors_are_exactly_what_the_script_generates(tmp_path: Path) -> None:
    written = make_vectors.build(tmp_path)
    assert written, "the script wrote nothing"
    fresh, committed = _files(tmp_path), _files(VECTORS)
    missing = sorted(set(fresh) - set(committed))
    stale = sorted(set(committed) - set(fresh))
    assert not missing, f"vectors not committed (run scripts/make_vectors.py): {missing}"
    assert not stale, f"committed files the script no longer makes: {stale}"
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert not changed, (
        f"vectors differ from what scripts/make_vectors.py generates: {changed}; if the format "
        "change is deliberate, re-run the script and commit the result"
    )


def test_the_leaves_are_what_build_leaf_writes(leaves: list[bytes]) -> None:
    """The script rebuilds the leaf format without Django; it must agree with the application."""
    from chancery.ledger.services import build_leaf

    specs = make_vectors.leaf_specs()
    assert len(specs) == len(leaves) == make_vectors.SIZE
    for n, (spec, leaf) in enumerate(zip(specs, leaves, strict=True)):
        assert build_leaf(**spec) == leaf, f"leaf {n}"
        parsed = json.loads(leaf)
        assert leaf == json.dumps(
            parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
        assert parsed["v"] == 2 and len(leaf) < 64 * 1024
    kinds = {json.loads(leaf)["kind"] for leaf in leaves}
    assert {"message.received", "hold.placed", "hold.policy", "message.delivered"} <= kinds
    assert any(json.loads(leaf)["actor"] is None for leaf in leaves)


def test_commitments_recompute_from_salt_and_text(leaves: list[bytes]) -> None:
    examples = json.loads((VECTORS / "commitments.json").read_text())
    assert [e.get("field", "body") for e in examples] == ["body", "body", "reason", "actor"]
    for example in examples:
        text = example.get("body") or example["text"]
        digest = hashlib.sha256(bytes.fromhex(example["salt"]) + text.encode()).hexdigest()
        leaf = json.loads(leaves[example["leaf_index"]])
        assert text not in leaves[example["leaf_index"]].decode()  # the log never shows it
        if "body" in example:
            assert digest == example["commitment"] == leaf["data"]["commitment"]
        elif example["field"] == "actor":
            assert "sha256:" + digest == example["commitment"] == leaf["actor"]
        else:
            assert "sha256:" + digest == example["commitment"] == leaf["data"][example["field"]]


def test_keys_and_checkpoints(verifier: note.Verifier, hashes: list[bytes]) -> None:
    signer = note.Signer.from_text((VECTORS / "TEST-ONLY.skey").read_text().strip())
    assert signer.vkey == verifier.vkey
    assert verifier.name == make_vectors.ORIGIN
    witness = note.CosignatureSigner.from_text(
        (VECTORS / "TEST-ONLY-witness.skey").read_text().strip()
    )
    witness_v = note.CosignatureVerifier.from_text((VECTORS / "witness.vkey").read_text().strip())
    assert witness.vkey == witness_v.vkey

    sizes = sorted(int(p.name) for p in (VECTORS / "checkpoints").iterdir() if p.name.isdigit())
    assert sizes == list(make_vectors.CHECKPOINT_SIZES)
    for size in sizes:
        text = (VECTORS / "checkpoints" / str(size)).read_text()
        cp, opened = note.open_checkpoint(text, verifier)
        assert (cp.origin, cp.size, cp.root) == (verifier.name, size, merkle.root(hashes[:size]))
        assert opened.unverified == []
    assert (VECTORS / "checkpoint").read_bytes() == (VECTORS / "checkpoints" / "1000").read_bytes()

    cosigned = (VECTORS / "checkpoints" / "1000.cosigned").read_text()
    cp, opened = note.open_checkpoint(cosigned, verifier, [witness_v])
    assert cp.size == 1000
    assert opened.cosignatures == [
        (witness_v.name, witness_v.key_id, make_vectors.WITNESS_TIME)
    ]
    # Ed25519 is deterministic: signing again gives the very same note.
    assert note.sign_note(cp.body(), signer) == (VECTORS / "checkpoint").read_text()


def test_leaf_hashes_and_roots(hashes: list[bytes]) -> None:
    lines = (VECTORS / "leaf-hashes.txt").read_text().splitlines()
    assert lines == [f"{i} {h.hex()}" for i, h in enumerate(hashes)]
    roots = dict(line.split() for line in (VECTORS / "roots.txt").read_text().splitlines())
    assert len(roots) == len(hashes) + 1
    assert roots["0"] == hashlib.sha256(b"").hexdigest()
    for size in (1, 2, 3, 255, 256, 257, 511, 512, 513, 999, 1000):
        assert roots[str(size)] == merkle.root(hashes[:size]).hex()


def test_tiles_and_entry_bundles(leaves: list[bytes], hashes: list[bytes]) -> None:
    expected: set[str] = set()
    for size in make_vectors.CHECKPOINT_SIZES:
        expected |= {ref.path for ref in tiles.tiles_for_size(size)}
    present = {
        p.relative_to(VECTORS).as_posix() for p in (VECTORS / "tile").rglob("*") if p.is_file()
    }
    assert present == expected
    for path in sorted(present):
        ref = tiles.parse_tile_path(path)
        assert ref.path == path
        data = (VECTORS / path).read_bytes()
        start = ref.index * tiles.TILE_WIDTH
        if ref.level is None:
            assert tiles.decode_entries(data, expected=ref.width) == leaves[
                start : start + ref.width
            ]
            continue
        # Hash i of a level L tile is the root of the subtree of 256**L leaves it stands for.
        span = tiles.TILE_WIDTH**ref.level
        want = b"".join(
            merkle.subtree_root(hashes, (start + i) * span, (start + i + 1) * span)
            for i in range(ref.width)
        )
        assert data == want, path


def _read_tile(level: int, index: int, width: int) -> bytes:
    return (VECTORS / tiles.tile_path(level, index, width)).read_bytes()


def test_inclusion_proofs(verifier: note.Verifier, leaves: list[bytes]) -> None:
    files = sorted((VECTORS / "proofs" / "inclusion").iterdir())
    assert len(files) == len(make_vectors.INCLUSION)
    for path in files:
        index, size = (int(x) for x in path.name.removesuffix(".tlog-proof").split("-"))
        text = path.read_text()
        verified = proof.verify_proof(text, verifier)
        assert (verified.index, verified.checkpoint.size) == (index, size)
        assert verified.leaf == leaves[index]
        # The tiles give the same proof as the file holds.
        reader = tiles.TileHashReader(size, _read_tile)
        assert list(proof.parse_proof(text).hashes) == reader.inclusion_proof(index)
        # The same proof for a neighbouring leaf is refused.
        other = leaves[index + 1] if index + 1 < len(leaves) else leaves[index - 1]
        with pytest.raises(proof.ProofError):
            proof.verify_proof(text, verifier, leaf=other)


def test_consistency_proofs(verifier: note.Verifier) -> None:
    files = sorted((VECTORS / "proofs" / "consistency").iterdir())
    assert len(files) == len(make_vectors.CONSISTENCY)
    for path in files:
        old_size, new_size = (int(x) for x in path.name.removesuffix(".add-checkpoint").split("-"))
        body = note.parse_add_checkpoint(path.read_bytes())
        new, _ = note.open_checkpoint(body.note, verifier)
        old, _ = note.open_checkpoint(
            (VECTORS / "checkpoints" / str(old_size)).read_text(), verifier
        )
        assert (body.old_size, new.size) == (old_size, new_size)
        assert merkle.verify_consistency(old_size, new_size, old.root, new.root, body.proof)
        assert tiles.TileHashReader(new_size, _read_tile).consistency_proof(old_size) == body.proof
        if body.proof:
            bad = [bytes(32), *body.proof[1:]]
            assert not merkle.verify_consistency(old_size, new_size, old.root, new.root, bad)
        # The body is byte for byte what format_add_checkpoint writes.
        assert note.format_add_checkpoint(old_size, body.proof, body.note) == path.read_bytes()


def test_the_skeys_are_marked_test_only() -> None:
    readme = (VECTORS / "README.md").read_text()
    assert "TEST ONLY" in readme
    for name in ("TEST-ONLY.skey", "TEST-ONLY-witness.skey"):
        text = (VECTORS / name).read_text()
        assert text.startswith("PRIVATE+KEY+chancery.invalid/")
        seed = base64.b64decode(text.strip().split("+", 4)[4])[1:]
        assert seed in (make_vectors.LOG_SEED, make_vectors.WITNESS_SEED)
