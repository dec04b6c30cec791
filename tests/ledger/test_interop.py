"""An independent verifier: Go's golang.org/x/mod/sumdb/note and sumdb/tlog check our log.

``tests/ledger/interop/verify.go`` shares no code with Chancery. It is built here with Debian's
``golang-go`` and ``golang-golang-x-mod-dev`` (GOPATH mode, offline), then run against our test
vectors, a ``chancery log export`` of a real log, the live ``/log/`` of a server, and a receipt's
tlog-proofs; and it must reject a flipped byte in a tile or an entry, a tampered checkpoint, a
proof for the wrong leaf, a bad consistency proof and a forked checkpoint.

Without Go the tests skip, except in CI (``CI`` set) or with ``CHANCERY_REQUIRE_GO=1``, where a
missing Go is a failure (``./run test`` installs the packages when run as root).
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from chancery.correspondence import services
from chancery.ledger import merkle, note, proof, sequencer
from chancery.ledger.export import export
from chancery.ledger.models import LogHead

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "ledger" / "vectors"
SOURCE = ROOT / "tests" / "ledger" / "interop" / "verify.go"
GOPATH_SRC = Path("/usr/share/gocode")
SUMDB = GOPATH_SRC / "src" / "golang.org" / "x" / "mod" / "sumdb"

Verify = Callable[..., subprocess.CompletedProcess[str]]


def _go_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("CHANCERY_REQUIRE_GO") == "1"


def _missing(what: str) -> None:
    hint = (
        f"{what}: the interop tests need Debian's golang-go and golang-golang-x-mod-dev "
        "(./run test installs them as root; or apt-get install golang-go golang-golang-x-mod-dev)"
    )
    if _go_required():
        pytest.fail(hint + " [required: CI or CHANCERY_REQUIRE_GO=1 is set]", pytrace=False)
    pytest.skip(hint)


@pytest.fixture(scope="session")
def go_verify(tmp_path_factory: pytest.TempPathFactory) -> Verify:
    """``go_verify(*args)``: run the Go verifier, built once per session."""
    go = shutil.which("go")
    if go is None:
        _missing("`go` is not on PATH")
    if not (SUMDB / "note").is_dir() or not (SUMDB / "tlog").is_dir():
        _missing(f"{SUMDB}/note and /tlog are missing")
    assert go is not None
    work = tmp_path_factory.mktemp("go")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "GO111MODULE": "off",  # GOPATH mode: the x/mod sources Debian installs, no network
        "GOPATH": f"{work / 'gopath'}:{GOPATH_SRC}",
        "GOCACHE": str(work / "cache"),
        "GOPROXY": "off",
        "GOFLAGS": "",
        "CGO_ENABLED": "0",
    }
    binary = work / "verify"
    built = subprocess.run(
        [go, "build", "-o", str(binary), str(SOURCE)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert built.returncode == 0, f"go build failed:\n{built.stdout}{built.stderr}"

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(binary), *map(str, args)],
            capture_output=True, text=True, timeout=300, check=False,
        )
        print(result.stdout, result.stderr, sep="\n")
        return result

    return run


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"Go rejected it:\n{result.stdout}\n{result.stderr}"
    assert result.stdout.rstrip().endswith("OK")
    return result.stdout


def _rejected(result: subprocess.CompletedProcess[str], *reasons: str) -> str:
    assert result.returncode == 1, f"Go accepted it:\n{result.stdout}\n{result.stderr}"
    assert "FAIL:" in result.stderr
    assert any(r in result.stderr for r in reasons), result.stderr
    return result.stderr


TILE_REJECTED = (
    "downloaded inconsistent tile",  # tlog.TileHashReader
    "the leaf hashes in the tiles give the root",  # the tree rebuilt from the leaf hashes
    "is not authentic",  # a tile compared with tlog.ReadTileData of the rebuilt tree
)


def _key() -> str:
    return (VECTORS / "key").read_text().strip()


# --------------------------------------------------------------------------- the test vectors


def test_go_verifies_our_test_vectors(go_verify: Verify) -> None:
    out = _ok(
        go_verify(
            "-key", f"@{VECTORS / 'key'}", "-witness", f"@{VECTORS / 'witness.vkey'}",
            "-vectors", VECTORS,
        )
    )
    root = (VECTORS / "checkpoint").read_text().split("\n")[2]
    assert f"size 1000 root {root}, signed by chancery.invalid/test-vectors+" in out
    assert "tiles: 5 hash tiles read through tlog.TileHashReader" in out
    assert "entries: 1000 entries in 4 bundles" in out
    assert "all 1000 leaf hashes match" in out
    assert "the roots of all 1001 tree sizes 0..1000 match tlog.TreeHash" in out
    assert "all 5 hash tiles equal tlog.ReadTileData" in out
    assert "its own 3 tiles at size 257 authenticate" in out
    assert "chancery.invalid/test-witness+" in out  # the cosignature/v1 line verified in Go
    assert out.count("tlog.CheckRecord OK") == len(list((VECTORS / "proofs/inclusion").iterdir()))
    assert out.count("tlog.CheckTree OK") == len(list((VECTORS / "proofs/consistency").iterdir()))


def test_go_verifies_proofs_alone_like_a_receipt_holder(go_verify: Verify) -> None:
    out = _ok(
        go_verify(
            "-key", _key(), "-proof", VECTORS / "proofs/inclusion/999-1000.tlog-proof",
            "-old", VECTORS / "checkpoints/257",
            "-consistency", VECTORS / "proofs/consistency/257-1000.add-checkpoint",
        )
    )
    assert "entry 999 of size 1000: tlog.CheckRecord OK" in out
    assert "size 257 -> 1000 (11 hashes): tlog.CheckTree OK" in out


@pytest.fixture
def vectors_copy(tmp_path: Path) -> Path:
    target = tmp_path / "vectors"
    shutil.copytree(VECTORS, target)
    return target


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "tile, offset",
    [
        ("tile/0/001", 32 * 17 + 3),  # a full level-0 tile: fails against its parent tile
        ("tile/0/003.p/232", 5),  # the right edge: fails against the signed root
        ("tile/1/000.p/3", 40),  # a level-1 tile
    ],
)
def test_go_rejects_a_flipped_byte_in_a_tile(
    go_verify: Verify, vectors_copy: Path, tile: str, offset: int
) -> None:
    _flip(vectors_copy / tile, offset)
    _rejected(go_verify("-key", _key(), vectors_copy), *TILE_REJECTED)


def test_go_rejects_a_flipped_byte_in_an_entry(go_verify: Verify, vectors_copy: Path) -> None:
    _flip(vectors_copy / "tile/entries/002", 100)
    _rejected(go_verify("-key", _key(), vectors_copy), "tlog.RecordHash")


def test_go_rejects_a_tampered_checkpoint(go_verify: Verify, vectors_copy: Path) -> None:
    path = vectors_copy / "checkpoint"
    path.write_text(path.read_text().replace("\n1000\n", "\n1001\n", 1))
    _rejected(go_verify("-key", _key(), vectors_copy), "note.Open")


def test_go_rejects_a_checkpoint_signed_by_another_key(
    go_verify: Verify, vectors_copy: Path
) -> None:
    skey, _vkey = note.generate_key("chancery.invalid/test-vectors")  # same name, other key
    cp, _ = note.open_checkpoint(
        (VECTORS / "checkpoint").read_text(), note.Verifier.from_text(_key())
    )
    (vectors_copy / "checkpoint").write_text(note.sign_note(cp.body(), note.Signer.from_text(skey)))
    _rejected(go_verify("-key", _key(), vectors_copy), "note.Open")


def test_go_rejects_a_proof_for_the_wrong_leaf(go_verify: Verify, tmp_path: Path) -> None:
    text = (VECTORS / "proofs/inclusion/256-1000.tlog-proof").read_text()
    leaves = (VECTORS / "leaves.jsonl").read_bytes().splitlines()
    parsed = proof.parse_proof(text)
    assert parsed.extra == leaves[256]
    for name, forged in (
        ("other-leaf", proof.TlogProof(256, parsed.hashes, parsed.checkpoint, leaves[257])),
        ("other-index", proof.TlogProof(257, parsed.hashes, parsed.checkpoint, leaves[256])),
    ):
        path = tmp_path / f"{name}.tlog-proof"
        path.write_text(proof.format_proof(forged))
        _rejected(go_verify("-key", _key(), "-proof", path), "tlog.CheckRecord")


def test_go_rejects_a_bad_consistency_proof_and_a_fork(
    go_verify: Verify, tmp_path: Path
) -> None:
    body = note.parse_add_checkpoint(
        (VECTORS / "proofs/consistency/255-1000.add-checkpoint").read_bytes()
    )
    bad = tmp_path / "bad.add-checkpoint"
    bad.write_bytes(note.format_add_checkpoint(255, [body.proof[1], *body.proof[1:]], body.note))
    _rejected(
        go_verify("-key", _key(), "-old", VECTORS / "checkpoints/255", "-consistency", bad),
        "tlog.CheckTree",
    )
    # A second checkpoint for size 257, signed by the log's (test) key, with another root:
    # a split view. Go finds it inconsistent with the tiles of the tree of 1000.
    signer = note.Signer.from_text((VECTORS / "TEST-ONLY.skey").read_text().strip())
    fork = tmp_path / "fork-257"
    fork.write_text(
        note.sign_note(
            note.Checkpoint(signer.name, 257, merkle.leaf_hash(b"forged")).body(), signer
        )
    )
    _rejected(go_verify("-key", _key(), "-old", fork, VECTORS), "tlog.CheckTree")


# --------------------------------------------------------------------------- a real log


def _submit_and_integrate(submit: Any, count: int) -> list[Any]:
    messages = [submit(f"Message {n}: Félicitations, meilleurs vœux. 祝贺.") for n in range(count)]
    sequencer.integrate_all()
    return messages


def _head() -> LogHead:
    return LogHead.objects.select_related("checkpoint").get()


def test_go_verifies_an_export_and_a_receipt(
    go_verify: Verify, submit: Any, tmp_path: Path, settings: Any
) -> None:
    settings.CHANCERY_LOG_BATCH = 100  # several batches: tiles extended across batch edges
    messages = _submit_and_integrate(submit, 70)
    first = _head()
    old = tmp_path / "checkpoint-old"
    old.write_text(first.checkpoint.note)
    messages += _submit_and_integrate(submit, 200)
    head = _head()
    assert head.size > 256 > first.size, (first.size, head.size)  # a full tile and partial ones

    out_dir = tmp_path / "export"
    size, _written = export(out_dir)
    assert size == head.size
    assert (out_dir / "key").read_text().strip() == head.vkey

    receipt_proofs = []
    for n, message in enumerate((messages[0], messages[-1])):
        entries = services.receipt_with_proofs(message)["log"]["entries"]
        assert entries and all(e["tlog_proof"] for e in entries)
        for m, entry in enumerate(entries):
            path = tmp_path / f"receipt-{n}-{m}.tlog-proof"
            path.write_text(entry["tlog_proof"])
            receipt_proofs += ["-proof", str(path)]

    out = _ok(go_verify("-key", head.vkey, "-old", old, *receipt_proofs, out_dir))
    assert f"size {head.size} root " in out
    assert f"entries: {head.size} entries in {(head.size + 255) // 256} bundles" in out
    assert f"checkpoint checkpoint-old: size {first.size}, signed; consistent with size" in out
    assert out.count("tlog.CheckRecord OK, matching the log's tiles") == len(receipt_proofs) // 2

    # A flipped byte in an exported tile is caught.
    _flip(out_dir / "tile/0/000", 64)
    _rejected(go_verify("-key", head.vkey, out_dir), *TILE_REJECTED)


def test_go_verifies_the_live_log_of_a_server(
    go_verify: Verify,
    live_server: Any,
    transactional_db: None,
    submit: Any,
    people: Any,
    token_for: Any,
    tmp_path: Path,
) -> None:
    messages = _submit_and_integrate(submit, 40)
    head = _head()
    base = f"{live_server.url}/log/"
    served_key = requests.get(base + "key", timeout=10).text.strip()
    assert served_key == head.vkey
    out = _ok(go_verify("-key", head.vkey, base))
    assert f"size {head.size} root {base64.b64encode(bytes(head.checkpoint.root)).decode()}" in out

    # The sender's receipt, fetched from the API as a liaison would, verifies in Go too.
    tracking = messages[0].tracking
    response = requests.get(
        f"{live_server.url}/api/v1/messages/{tracking}/receipt",
        headers={"Authorization": f"Bearer {token_for(people['liaison_ca'])}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    entries = response.json()["log"]["entries"]
    assert entries[0]["kind"] == "message.received" and entries[0]["tlog_proof"]
    path = tmp_path / "receipt.tlog-proof"
    path.write_text(entries[0]["tlog_proof"])
    out = _ok(go_verify("-key", head.vkey, "-proof", path, base))
    assert f"entry {entries[0]['index']} of size {head.size}: tlog.CheckRecord OK" in out

    # More entries later: the old checkpoint is consistent with the new one, per Go.
    old = tmp_path / "old-checkpoint"
    old.write_text(head.checkpoint.note)
    _submit_and_integrate(submit, 5)
    assert _head().size > head.size
    _ok(go_verify("-key", head.vkey, "-old", old, base))
