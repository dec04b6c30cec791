"""Witnessing (C2SP tlog-witness, cosignature/v1): the add-checkpoint endpoint, the submitter,
and two real servers on loopback witnessing each other, including a refused fork."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from chancery.ledger import keys, merkle, note, sequencer, witness
from chancery.ledger.models import Checkpoint, LogHead, WitnessState

URL = "/log/witness/add-checkpoint"
ORIGIN = "other.example/log"


# --------------------------------------------------------------------------- a log to witness


class FakeLog:
    """A log of our own making (its own key, its own leaves) for the witness to cosign."""

    def __init__(self, origin: str = ORIGIN) -> None:
        skey, self.vkey = note.generate_key(origin)
        self.signer = note.Signer.from_text(skey)
        self.verifier = note.Verifier.from_text(self.vkey)
        self.leaves: list[bytes] = []

    def grow(self, n: int, tag: str = "") -> None:
        start = len(self.leaves)
        self.leaves += [merkle.leaf_hash(f"{tag}leaf {i}".encode())
                        for i in range(start, start + n)]

    def root(self, size: int | None = None) -> bytes:
        return merkle.root(self.leaves[: len(self.leaves) if size is None else size])

    def note(self, size: int | None = None, signer: note.NoteSigner | None = None) -> str:
        size = len(self.leaves) if size is None else size
        body = note.Checkpoint(origin=self.signer.name, size=size, root=self.root(size)).body()
        return note.sign_note(body, signer or self.signer)

    def body(self, old: int, size: int | None = None) -> bytes:
        size = len(self.leaves) if size is None else size
        proof = merkle.consistency_proof(old, size, self.leaves) if 0 < old < size else []
        return note.format_add_checkpoint(old, proof, self.note(size))


@pytest.fixture
def other(settings: Any, db: Any) -> FakeLog:
    fake = FakeLog()
    settings.CHANCERY_WITNESS_LOGS = [fake.vkey]
    return fake


def _post(client: Client, body: bytes) -> Any:
    return client.post(URL, data=body, content_type="text/plain")


def _witness_verifier() -> note.CosignatureVerifier:
    return keys.witness_signer().verifier()


def _state(origin: str = ORIGIN) -> WitnessState:
    return WitnessState.objects.get(role="log", name=origin)


# --------------------------------------------------------------------------- the witness


def test_add_checkpoint_returns_a_verifiable_cosignature(client: Client, other: FakeLog) -> None:
    other.grow(3)
    before = int(time.time())
    response = _post(client, other.body(0))
    assert response.status_code == 200, response.content
    lines = response.content.decode()
    assert lines.startswith("\u2014 ") and lines.endswith("\n") and lines.count("\n") == 1
    # As the spec suggests: append to the checkpoint and open with the witness's key.
    cp, opened = note.open_checkpoint(other.note() + lines, other.verifier, [_witness_verifier()])
    assert cp.size == 3
    [(name, _kid, ts)] = opened.cosignatures
    assert name == keys.witness_name() and before <= ts <= int(time.time())
    state = _state()
    assert (state.size, bytes(state.root)) == (3, other.root())
    assert state.note.endswith(lines)

    # The next checkpoint, with a consistency proof from the size cosigned.
    other.grow(5)
    response = _post(client, other.body(3))
    assert response.status_code == 200
    note.open_checkpoint(other.note() + response.content.decode(), other.verifier,
                         [_witness_verifier()])
    assert _state().size == 8
    # The same checkpoint again (old size = size, same root) is cosigned again.
    assert _post(client, other.body(8)).status_code == 200


def test_stale_old_size_gets_409_with_the_size(client: Client, other: FakeLog) -> None:
    other.grow(4)
    assert _post(client, other.body(0)).status_code == 200
    other.grow(2)
    for old in (0, 2, 5):
        response = _post(client, other.body(old))
        assert response.status_code == 409
        assert response["Content-Type"] == "text/x.tlog.size"
        assert response.content == b"4\n"
    assert _state().size == 4


def test_a_proof_that_does_not_verify_gets_422(client: Client, other: FakeLog) -> None:
    other.grow(5)
    assert _post(client, other.body(0)).status_code == 200
    other.grow(6)
    proof = merkle.consistency_proof(5, 11, other.leaves)
    proof[0] = bytes(32)
    response = _post(client, note.format_add_checkpoint(5, proof, other.note()))
    assert response.status_code == 422
    # A proof from another size's tree fails too, and so does none at all.
    wrong = merkle.consistency_proof(4, 11, other.leaves)
    assert _post(client, note.format_add_checkpoint(5, wrong, other.note())).status_code == 422
    assert _post(client, note.format_add_checkpoint(5, [], other.note())).status_code == 422
    assert (_state().size, bytes(_state().root)) == (5, other.root(5))


def test_unknown_log_and_untrusted_signatures(client: Client, other: FakeLog) -> None:
    other.grow(2)
    stranger = FakeLog("stranger.example/log")
    stranger.grow(2)
    response = _post(client, stranger.body(0))
    assert response.status_code == 404  # unknown origin
    # The right origin signed by another key (same name, other key): no trusted signature.
    impostor = FakeLog(ORIGIN)
    impostor.grow(2)
    assert _post(client, impostor.body(0)).status_code == 403
    # A line naming the trusted key whose signature fails: 403 as well.
    good = other.note()
    forged_sig = note.sign_note("something else\n", other.signer).split("\n\n", 1)[1]
    forged = good.split("\n\n", 1)[0] + "\n\n" + forged_sig
    assert _post(client, note.format_add_checkpoint(0, [], forged)).status_code == 403
    # Both signatures: the untrusted one is ignored, the trusted one verifies.
    both = good + impostor.note().split("\n\n", 1)[1]
    response = _post(client, note.format_add_checkpoint(0, [], both))
    assert response.status_code == 200
    assert not WitnessState.objects.filter(name="stranger.example/log").exists()
    # Our stored note keeps the trusted signature and ours, not the impostor's.
    assert _state().note == good + response.content.decode()


def test_malformed_requests_get_400(client: Client, other: FakeLog) -> None:
    other.grow(3)
    good = other.body(0)
    bad = [
        b"",
        b"garbage",
        good.replace(b"old 0\n", b"old 00\n"),
        good.replace(b"old 0\n", b"old 4\n"),  # old size above the checkpoint's size
        good.replace(b"old 0\n", b"old 0\nnot base64!\n"),
        good.replace(b"old 0\n\n", b"old 0\n"),  # no empty line
        b"old 0\n\n" + other.note().split("\n\n")[0].encode() + b"\n",  # unsigned
        b"\xff" + good,
    ]
    for body in bad:
        response = _post(client, body)
        assert response.status_code == 400, (body, response.content)
    assert client.get(URL).status_code == 405
    huge = _post(client, good + b"x" * witness.MAX_BODY)
    assert huge.status_code == 413
    assert not WitnessState.objects.exists()


def test_a_fork_is_refused(client: Client, other: FakeLog) -> None:
    """A second tree signed by the log's key, inconsistent with what the witness cosigned."""
    other.grow(6)
    assert _post(client, other.body(0)).status_code == 200
    fork = FakeLog(ORIGIN)
    fork.signer, fork.verifier = other.signer, other.verifier  # the same log key
    fork.leaves = other.leaves[:4]
    fork.grow(2, tag="forked ")
    assert fork.root() != other.root()
    # Same size, another root: 409 (not a size conflict: the sizes agree).
    response = _post(client, fork.body(6))
    assert response.status_code == 409
    assert response["Content-Type"] != "text/x.tlog.size"
    # Larger, with a proof from its own size 6: does not verify from the stored tree.
    fork.grow(3, tag="forked ")
    assert _post(client, fork.body(6)).status_code == 422
    assert bytes(_state().root) == other.root()
    # The honest log carries on.
    other.grow(3)
    assert _post(client, other.body(6)).status_code == 200


def test_concurrent_submissions_cannot_both_win(
    client: Client, other: FakeLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Request A is checked, then request B moves the state before A stores: A must get 409,
    never roll the stored size back (the race the spec describes)."""
    other.grow(4)
    assert _post(client, other.body(0)).status_code == 200
    other.grow(4)
    real = keys.witness_signer
    inner: list[witness.Answer] = []
    raced = False

    def stall() -> note.CosignatureSigner:
        nonlocal raced
        if not raced:  # between A's checks and A's store, B runs to completion
            raced = True
            inner.append(witness.witness_checkpoint(other.body(4, 8)))
        return real()

    monkeypatch.setattr(keys, "witness_signer", stall)
    outer = witness.witness_checkpoint(other.body(4, 6))
    assert inner[0].status == 200
    assert (outer.status, outer.content_type, outer.body) == (409, "text/x.tlog.size", "8\n")
    assert _state().size == 8


def test_the_witness_key_is_served(client: Client, db: Any) -> None:
    response = client.get("/log/witness/key")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    vkey = response.content.decode().strip()
    assert vkey == keys.witness_signer().vkey
    assert note.parse_verifier(vkey).name == keys.witness_name()


# --------------------------------------------------------------------------- the submitter


Post = Callable[[str, bytes], tuple[int, str, bytes]]


@pytest.fixture
def self_witnessed(settings: Any, submit: Any) -> LogHead:
    """Our own log, witnessed by our own witness endpoint (through the test client)."""
    for n in range(3):
        submit(f"Letter {n}.")
    sequencer.integrate_all()
    head = LogHead.objects.select_related("checkpoint").get()
    settings.CHANCERY_WITNESS_LOGS = [head.vkey]
    settings.CHANCERY_WITNESSES = [f"http://testserver/log/witness {keys.witness_signer().vkey}"]
    return head


def _client_post(client: Client, calls: list[bytes]) -> Post:
    def post(url: str, body: bytes) -> tuple[int, str, bytes]:
        calls.append(body)
        response = client.post(urllib.parse.urlsplit(url).path, data=body,
                               content_type="text/plain")
        return response.status_code, response["Content-Type"], response.content

    return post


def _served(client: Client) -> tuple[note.Checkpoint, note.OpenedNote]:
    head = LogHead.objects.get()
    text = client.get("/log/checkpoint").content.decode()
    return note.open_checkpoint(text, note.Verifier.from_text(head.vkey), [_witness_verifier()])


def test_submit_adds_the_cosignature_to_the_served_checkpoint(
    client: Client, self_witnessed: LogHead, submit: Any
) -> None:
    calls: list[bytes] = []
    post = _client_post(client, calls)
    [outcome] = witness.submit_to_witnesses(post)
    assert outcome.ok, outcome
    cp, opened = _served(client)
    assert cp.size == self_witnessed.size
    assert [name for name, _, _ in opened.cosignatures] == [keys.witness_name()]
    row = Checkpoint.objects.get(size=cp.size)
    assert row.cosigned.startswith(row.note)  # the log's signature line first
    assert WitnessState.objects.get(role="witness").size == cp.size

    # Nothing new: the witness is not contacted again.
    assert witness.submit_to_witnesses(post)[0].detail == "already cosigned"
    assert len(calls) == 1

    # A new checkpoint goes with a consistency proof from the size acknowledged.
    submit("Another letter.")
    sequencer.integrate_all()
    [outcome] = witness.submit_to_witnesses(post)
    assert outcome.ok and calls[-1].startswith(f"old {cp.size}\n".encode())
    cp2, opened = _served(client)
    assert cp2.size > cp.size and opened.cosignatures
    # The older checkpoint keeps its own cosignature.
    assert Checkpoint.objects.get(size=cp.size).cosigned == row.cosigned


def test_submit_retries_once_after_a_409(
    client: Client, self_witnessed: LogHead, submit: Any
) -> None:
    calls: list[bytes] = []
    post = _client_post(client, calls)
    assert witness.submit_to_witnesses(post)[0].ok
    size = self_witnessed.size
    submit("One more.")
    sequencer.integrate_all()
    WitnessState.objects.filter(role="witness").delete()  # we forgot what it acknowledged
    [outcome] = witness.submit_to_witnesses(post)
    assert outcome.ok, outcome
    assert calls[-2].startswith(b"old 0\n") and calls[-1].startswith(f"old {size}\n".encode())
    assert _served(client)[1].cosignatures


def test_bad_or_missing_cosignatures_are_not_accepted(
    client: Client, self_witnessed: LogHead
) -> None:
    cp = self_witnessed.checkpoint
    body = note.open_checkpoint(cp.note, note.Verifier.from_text(self_witnessed.vkey))[0].body()
    impostor = note.CosignatureSigner.from_text(note.generate_witness_key(keys.witness_name())[0])
    answers: list[tuple[int, str, bytes]] = [
        (200, "text/plain", impostor.cosign(body, int(time.time())).encode()),  # other key
        (200, "text/plain", b""),
        (200, "text/plain", b"not a signature line\n"),
        (403, "text/plain", b"no"),
        (409, "text/plain", b"a fork\n"),
        (409, "text/x.tlog.size", b"99999\n"),  # it claims more than we have
    ]
    for answer in answers:

        def reply(url: str, data: bytes, answer: tuple[int, str, bytes] = answer) -> Any:
            return answer

        [outcome] = witness.submit_to_witnesses(reply)
        assert not outcome.ok, answer
    # Same name and key ID as the real witness, wrong signature: refused too.
    good = keys.witness_signer().cosign(body, int(time.time()))
    name, b64 = good.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(b64))
    raw[-1] ^= 1
    tampered = f"{name} {base64.b64encode(bytes(raw)).decode()}\n"
    bad_reply: tuple[int, str, bytes] = (200, "text/plain", tampered.encode())
    [outcome] = witness.submit_to_witnesses(lambda url, data: bad_reply)
    assert not outcome.ok and "does not verify" in outcome.detail

    def unreachable(url: str, data: bytes) -> tuple[int, str, bytes]:
        raise ConnectionRefusedError("connection refused")

    [outcome] = witness.submit_to_witnesses(unreachable)
    assert not outcome.ok and "refused" in outcome.detail
    assert Checkpoint.objects.get(pk=cp.pk).cosigned == ""
    assert not WitnessState.objects.filter(role="witness").exists()
    # Cosignatures by keys we do not know are ignored, next to the real one.
    [outcome] = witness.submit_to_witnesses(
        lambda url, data: (200, "text/plain", (impostor.cosign(body, 5) + good).encode())
    )
    assert outcome.ok
    assert Checkpoint.objects.get(pk=cp.pk).cosigned == cp.note + good


def test_nothing_configured_means_nothing_sent(db: Any, settings: Any) -> None:
    settings.CHANCERY_WITNESSES = []
    assert witness.submit_to_witnesses(lambda url, data: pytest.fail("no request")) == []
    witness.submit_in_background()  # a no-op without witnesses
    assert witness._background._thread is None


# --------------------------------------------------------------------------- two real servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


SUBMIT = "from chancery.ledger.witness import witness_command; witness_command()"
LOAD = """
import sys
from chancery.bootstrap import setup
setup(sys.argv[1])
from django.db import transaction
from chancery.ledger.kinds import declare
from chancery.ledger.services import record_event
declare("witness.test", subject="record", public=["tag", "n"],
        description="A witness test's event.", declared_in="tests/ledger/test_witness.py")
with transaction.atomic():
    for i in range(int(sys.argv[2])):
        record_event("record", 1, "witness.test", data={"tag": sys.argv[3], "n": i})
"""


class Node:
    """One Chancery installation: a data folder, its own SQLite database and log key."""

    def __init__(self, name: str, data: Path) -> None:
        self.name = name
        self.origin = f"{name}.chancery.test/log"
        self.data = data
        self.port = _free_port()
        self.env: dict[str, str] = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "CHANCERY_DATA_DIR")
            and not k.startswith("CHANCERY_WITNESS")
            and "proxy" not in k.lower()
        }
        self.env["CHANCERY_LOG_ORIGIN"] = self.origin
        self.server: subprocess.Popen[bytes] | None = None
        self.log_vkey = ""
        self.witness_vkey = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, *args], env=self.env, capture_output=True, text=True, timeout=120,
            check=False,
        )
        if check:
            assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "chancery.cli", *args, "--data-dir", str(self.data), check=check)

    def load(self, n: int, tag: str) -> None:
        """``n`` events into the log, then integrate them (``chancery log integrate``)."""
        self.run("-c", LOAD, str(self.data), str(n), tag)
        self.cli("log", "integrate")

    def submit(self) -> subprocess.CompletedProcess[str]:
        """``chancery log witness``: submit the current checkpoint to the witnesses now."""
        return self.run("-c", SUBMIT, "--data-dir", str(self.data), check=False)

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path, timeout=10) as r:  # noqa: S310
            return str(r.read().decode())

    def checkpoint(self, *witnesses: Node) -> tuple[note.Checkpoint, list[str]]:
        """The served checkpoint and the names of the given witnesses that cosigned it."""
        text = self.get("/log/checkpoint")
        verifiers = [note.CosignatureVerifier.from_text(w.witness_vkey) for w in witnesses]
        cp, opened = note.open_checkpoint(text, note.Verifier.from_text(self.log_vkey), verifiers)
        return cp, [name for name, _, _ in opened.cosignatures]

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        """A long-running ``chancery`` command, its output in ``<data>/<command>.out``."""
        with open(self.data / f"{args[0]}.out", "ab") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "chancery.cli", *args, "--data-dir", str(self.data)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )

    def start(self) -> None:
        self.server = self.spawn("serve", "--port", str(self.port), "--workers", "1")
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/log/checkpoint")
                return
            except OSError:
                if self.server.poll() is not None:
                    out = (self.data / "serve.out").read_text()
                    pytest.fail(f"server {self.name} exited: {out}")
                assert time.monotonic() < deadline, f"server {self.name} did not start"
                time.sleep(0.3)

    def stop(self) -> None:
        if self.server is not None:
            stop(self.server)

    def witnessed_by(self, *witnesses: Node) -> None:
        self.env["CHANCERY_WITNESSES"] = ",".join(
            f"{w.base}/log/witness {w.witness_vkey}" for w in witnesses
        )


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    """Servers A and B on loopback, each witnessing the other's log."""
    root = tmp_path_factory.mktemp("witnessing")
    a, b = Node("a", root / "a"), Node("b", root / "b")
    try:
        for node in (a, b):
            node.cli("migrate")
            node.log_vkey = node.cli("log", "key", "--only", "log").stdout.strip()
        a.env["CHANCERY_WITNESS_LOGS"] = b.log_vkey
        b.env["CHANCERY_WITNESS_LOGS"] = a.log_vkey
        for node in (a, b):
            node.start()
            node.witness_vkey = node.get("/log/witness/key").strip()
            name = note.parse_verifier(node.witness_vkey).name
            assert name == f"{node.name}.chancery.test/witness"
        a.witnessed_by(b)
        b.witnessed_by(a)
        yield a, b
    finally:
        a.stop()
        b.stop()


@pytest.mark.slow
def test_two_servers_witness_each_other(pair: tuple[Node, Node]) -> None:
    a, b = pair
    a.load(4, "a1")
    proc = a.submit()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "b.chancery.test/witness: cosigned size 4" in proc.stdout
    cp, cosigners = a.checkpoint(b)
    assert cp.size == 4 and cosigners == ["b.chancery.test/witness"]

    b.load(2, "b1")
    assert b.submit().returncode == 0
    cp, cosigners = b.checkpoint(a)
    assert cp.size == 2 and cosigners == ["a.chancery.test/witness"]

    # A grows; the next submission carries a proof from 4, and B cosigns again.
    a.load(3, "a2")
    proc = a.submit()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cp, cosigners = a.checkpoint(b)
    assert cp.size == 7 and cosigners == ["b.chancery.test/witness"]


@pytest.mark.slow
def test_a_witness_refuses_a_forked_log(pair: tuple[Node, Node], tmp_path: Path) -> None:
    """A copy of A's database and key (a fork) presents another tree under A's key: B refuses
    it, the fork's checkpoint stays without B's cosignature, and the real A goes on."""
    a, b = pair
    fork = Node("a", tmp_path / "fork")
    fork.env = dict(a.env)
    fork.data.mkdir(parents=True)
    for name in ("log-signing.key", "witness-signing.key"):
        shutil.copy2(a.data / name, fork.data / name)
    with sqlite3.connect(a.data / "chancery.sqlite3") as src, sqlite3.connect(
        fork.data / "chancery.sqlite3"
    ) as dst:
        src.backup(dst)
    fork.log_vkey = a.log_vkey

    a.load(2, "real")
    assert a.submit().returncode == 0
    base = a.checkpoint(b)[0].size

    fork.load(2, "forked")  # the same size as A, another root, signed by A's key
    proc = fork.submit()
    assert proc.returncode == 1
    assert f"HTTP 409 from old size {base}: a different tree" in proc.stderr, proc.stderr
    fork.load(1, "forked")  # larger: the proof from A's size cannot verify
    proc = fork.submit()
    assert proc.returncode == 1
    assert f"HTTP 422 from old size {base}: the consistency proof" in proc.stderr, proc.stderr
    exported = fork.data / "export"
    fork.cli("log", "export", str(exported))
    text = (exported / "checkpoint").read_text()
    cp, opened = note.open_checkpoint(
        text, note.Verifier.from_text(a.log_vkey),
        [note.CosignatureVerifier.from_text(b.witness_vkey)],
    )
    assert cp.size == base + 1 and not opened.cosignatures

    # B's record of A was not disturbed: the real A's next checkpoint is cosigned.
    a.load(1, "real")
    assert a.submit().returncode == 0
    cp, cosigners = a.checkpoint(b)
    assert cp.size == base + 1 and cosigners == ["b.chancery.test/witness"]


@pytest.mark.slow
def test_the_worker_submits_each_new_checkpoint(pair: tuple[Node, Node]) -> None:
    """The wiring: `chancery worker`'s sequencer thread submits after each batch by itself."""
    a, b = pair
    # A long pass interval: the sequencer thread alone integrates what is loaded below.
    worker = b.spawn("worker", "--interval", "3600")
    try:
        time.sleep(4)  # the worker's first pass is over
        assert worker.poll() is None, (b.data / "worker.out").read_text()
        size = b.checkpoint()[0].size
        for count in (3, 2):  # two batches, each submitted by itself
            b.run("-c", LOAD, str(b.data), str(count), f"by-worker-{count}")  # not integrated
            size += count
            deadline = time.monotonic() + 30
            while True:
                cp, cosigners = b.checkpoint(a)
                if cp.size == size and cosigners == ["a.chancery.test/witness"]:
                    break
                assert worker.poll() is None, (b.data / "worker.out").read_text()
                assert time.monotonic() < deadline, (cp.size, (b.data / "worker.out").read_text())
                time.sleep(0.3)
    finally:
        stop(worker)
