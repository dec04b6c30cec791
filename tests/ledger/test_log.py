"""The transparency log in the application: sequencer, /log/ serving, receipts, verification."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from chancery.correspondence import services
from chancery.ledger import keys, merkle, note, proof, sequencer, tiles
from chancery.ledger.models import Checkpoint, Event, LogHead
from chancery.ledger.verify import verify_log


def _integrate() -> LogHead:
    sequencer.integrate_all()
    return LogHead.objects.select_related("checkpoint").get()


def _leaf_hashes() -> list[bytes]:
    leaves = Event.objects.order_by("seq").values_list("leaf", flat=True)
    return [merkle.leaf_hash(bytes(leaf)) for leaf in leaves]


def test_sequencer_integrates_every_event_and_signs_a_checkpoint(submit: Any, people: Any) -> None:
    for n in range(5):
        submit(f"Message number {n}: congratulations.")
    pending = Event.objects.filter(seq__isnull=True).count()
    assert pending >= 5
    head = _integrate()
    assert head.size == pending
    assert not Event.objects.filter(seq__isnull=True).exists()
    assert sorted(Event.objects.values_list("seq", flat=True)) == list(range(head.size))
    cp, _ = note.open_checkpoint(head.checkpoint.note, note.Verifier.from_text(head.vkey))
    assert cp.size == head.size
    assert cp.root == merkle.root(_leaf_hashes())


def test_batches_give_the_same_tree_as_one(submit: Any, settings: Any) -> None:
    for n in range(12):
        submit(f"Message {n}.")
    settings.CHANCERY_LOG_BATCH = 5
    sizes = []
    while (batch := sequencer.integrate()).count:
        sizes.append(batch.new_size)
    assert sizes == [5, 10, *sizes[2:]] and len(sizes) >= 3
    head = LogHead.objects.get()
    assert bytes(head.checkpoint.root) == merkle.root(_leaf_hashes())
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [0, *sizes]
    assert verify_log().ok


def test_log_serves_checkpoint_key_and_tiles(submit: Any, client: Client) -> None:
    for n in range(3):
        submit(f"Message {n}.")
    head = _integrate()
    response = client.get("/log/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-cache"
    # The log's signed note, then its stamp (the installation's witness key's cosignature).
    assert head.stamp and response.content.decode() == head.checkpoint.note + head.stamp
    assert client.get("/log/key").content.decode().strip() == head.vkey

    path = tiles.tile_path(0, 0, head.size)
    response = client.get(f"/log/{path}")
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert response.content == b"".join(_leaf_hashes())
    entries = client.get(f"/log/{tiles.entries_path(0, head.size)}")
    assert tiles.decode_entries(entries.content) == [
        bytes(x) for x in Event.objects.order_by("seq").values_list("leaf", flat=True)
    ]
    # A narrower partial tile is a prefix; a wider one than the tree is not served.
    assert client.get(f"/log/{tiles.tile_path(0, 0, 1)}").content == _leaf_hashes()[0]
    assert client.get(f"/log/{tiles.tile_path(0, 0, head.size + 1)}").status_code == 404
    assert client.get("/log/tile/0/x").status_code == 404
    assert client.post("/log/checkpoint").status_code == 405


def test_receipt_carries_proofs_that_verify_offline(submit: Any, people: Any) -> None:
    message = submit("Toutes nos félicitations.")
    receipt = services.receipt_with_proofs(message)
    assert all(e["tlog_proof"] is None for e in receipt["log"]["entries"])  # still pending
    head = _integrate()
    receipt = services.receipt_with_proofs(message)
    entries = receipt["log"]["entries"]
    assert entries[0]["kind"] == "message.received"
    verified = proof.verify_proof(entries[0]["tlog_proof"], note.Verifier.from_text(head.vkey))
    assert verified.entry()["data"]["commitment"] == message.commitment


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("UPDATE ledger_event SET data = '{{}}' WHERE id = {first}", "edited"),
        ("UPDATE ledger_event SET kind = 'message.forged' WHERE id = {second}", "edited"),
        ("UPDATE ledger_event SET seq = -seq - 1 WHERE id = {first}", "missing"),
        ("DELETE FROM ledger_event WHERE id = {second}", "missing"),
        ("UPDATE correspondence_message SET body = 'Forged' WHERE id = {message}", "changed"),
        ("DELETE FROM correspondence_message WHERE id = {message}", "gone"),
    ],
)
def test_verify_detects_changes_behind_the_applications_back(
    submit: Any, sql: str, expected: str
) -> None:
    message = submit("Original text.")
    submit("Another message.")
    _integrate()
    assert verify_log().ok
    first, second = Event.objects.order_by("seq").values_list("id", flat=True)[:2]
    with connection.cursor() as cursor:
        cursor.execute(sql.format(first=first, second=second, message=message.pk))
    report = verify_log()
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems


def test_verify_detects_reordered_events(submit: Any) -> None:
    submit("First.")
    submit("Second.")
    _integrate()
    a, b = Event.objects.order_by("seq").values_list("id", "seq")[:2]
    with connection.cursor() as cursor:  # swap the two log positions behind the app's back
        cursor.execute("UPDATE ledger_event SET seq = -1 WHERE id = %s", [a[0]])
        cursor.execute("UPDATE ledger_event SET seq = %s WHERE id = %s", [a[1], b[0]])
        cursor.execute("UPDATE ledger_event SET seq = %s WHERE id = %s", [b[1], a[0]])
    report = verify_log()
    assert not report.ok
    assert report.first_divergent == 0


def test_verify_detects_a_forked_checkpoint(submit: Any, settings: Any) -> None:
    submit("First.")
    head = _integrate()
    assert verify_log().ok
    # The log's own key signs a second root for the same size (a split view shown to someone).
    signer = note.Signer.from_text(settings.CHANCERY_LOG_KEY_FILE.read_text().strip())
    forged = sequencer.signed_checkpoint(signer, head.size, b"\x07" * 32)
    report = verify_log(other_checkpoints=[forged])
    assert not report.ok
    assert any("fork" in p for p in report.problems), report.problems
    # The same forgery stored in place of the real checkpoint row.
    Checkpoint.objects.filter(size=head.size).update(root=b"\x07" * 32, note=forged)
    report = verify_log()
    assert not report.ok and any("fork" in p for p in report.problems)


def test_verify_rejects_checkpoints_under_another_key(submit: Any) -> None:
    submit("First.")
    head = _integrate()
    other = note.Signer.from_text(note.generate_key(head.origin)[0])
    forged = sequencer.signed_checkpoint(other, head.size, bytes(head.checkpoint.root))
    Checkpoint.objects.filter(size=head.size).update(note=forged)
    report = verify_log()
    assert not report.ok
    assert any("does not verify" in p for p in report.problems), report.problems


def test_signing_key_is_private_and_stable(db: Any, settings: Any, client: Client) -> None:
    head = sequencer.ensure_head()
    key_file = settings.CHANCERY_LOG_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    signer = note.Signer.from_text(key_file.read_text().strip())
    assert signer.vkey == head.vkey == client.get("/log/key").content.decode().strip()
    assert keys.log_signer().vkey == head.vkey  # read back, not made again


def test_a_key_for_another_origin_is_refused(db: Any, settings: Any, tmp_path: Any) -> None:
    settings.CHANCERY_LOG_KEY_FILE = tmp_path / "log-signing.key"
    keys.log_signer()
    settings.CHANCERY_LOG_ORIGIN = "elsewhere.example/log"
    with pytest.raises(keys.LogKeyError, match="CHANCERY_LOG_ORIGIN"):
        keys.log_signer()


def test_no_checkpoint_yet_is_a_clear_404(db: Any, client: Client) -> None:
    response = client.get("/log/checkpoint")
    assert response.status_code == 404
    assert "sequencer" in response.content.decode()


def test_free_text_reasons_never_reach_the_public_log(submit: Any, people: Any) -> None:
    message = submit("Congratulations.")
    services.place_hold(
        message, by=people["officer"], category="security", reason="Secret screening note"
    )
    _integrate()
    leaves = b"".join(bytes(x) for x in Event.objects.values_list("leaf", flat=True))
    assert b"Secret screening note" not in leaves
    assert people["officer"].username.encode() not in leaves  # who acted: committed, not named
    assert people["liaison_ca"].username.encode() not in leaves
    assert b"Congratulations" not in leaves
    assert verify_log().ok  # and the commitment is re-derived from the row


def _receipt_file(tmp_path: Any, message: Any) -> Any:
    import json

    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(services.receipt_with_proofs(message)), encoding="utf-8")
    return path


def test_receipt_verify_command_checks_a_receipt_offline(
    submit: Any, people: Any, tmp_path: Any
) -> None:
    from click.testing import CliRunner

    from chancery.cli import main

    text = "Mes plus sincères félicitations. تهانينا"
    message = submit(text)
    services.triage(message, by=people["officer"])
    head = _integrate()
    receipt = _receipt_file(tmp_path, message)
    body = tmp_path / "body.txt"
    body.write_text(text, encoding="utf-8")
    runner = CliRunner()

    ok = runner.invoke(main, ["receipt", "verify", str(receipt), "--key", head.vkey])
    assert ok.exit_code == 0, ok.output
    assert "OK: message.received" in ok.output and "OK: message.triaged" in ok.output

    ok = runner.invoke(
        main, ["receipt", "verify", str(receipt), "--key", head.vkey, "--body", str(body)]
    )
    assert ok.exit_code == 0 and "exactly the text" in ok.output, ok.output

    body.write_text(text + " (altered)", encoding="utf-8")
    bad = runner.invoke(
        main, ["receipt", "verify", str(receipt), "--key", head.vkey, "--body", str(body)]
    )
    assert bad.exit_code == 1 and "not the text that was logged" in bad.output

    other = note.generate_key(head.origin)[1]
    bad = runner.invoke(main, ["receipt", "verify", str(receipt), "--key", other])
    assert bad.exit_code == 1 and "FAILED" in bad.output

    # A bare .tlog-proof, then the same with one proof hash altered.
    tlog = services.receipt_with_proofs(message)["log"]["entries"][0]["tlog_proof"]
    proof_file = tmp_path / "received.tlog-proof"
    proof_file.write_text(tlog, encoding="utf-8")
    ok = runner.invoke(main, ["receipt", "verify", str(proof_file), "--key", head.vkey])
    assert ok.exit_code == 0 and f"is in {head.origin}" in ok.output, ok.output
    lines = tlog.split("\n")
    index_line = next(i for i, line in enumerate(lines) if line.startswith("index "))
    lines[index_line] = f"index {int(lines[index_line][6:]) + 1}"
    proof_file.write_text("\n".join(lines), encoding="utf-8")
    bad = runner.invoke(main, ["receipt", "verify", str(proof_file), "--key", head.vkey])
    assert bad.exit_code == 1 and "does not bind" in bad.output

    proof_file.write_text("not a receipt", encoding="utf-8")
    bad = runner.invoke(main, ["receipt", "verify", str(proof_file), "--key", head.vkey])
    assert bad.exit_code == 1 and "neither a tlog-proof" in bad.output


def test_log_export_writes_the_served_tree(submit: Any, client: Client, tmp_path: Any) -> None:
    from chancery.ledger.export import export

    for n in range(3):
        submit(f"Message {n}.")
    head = _integrate()
    size, written = export(tmp_path)
    assert size == head.size and written == len(tiles.tiles_for_size(size))
    assert (tmp_path / "checkpoint").read_text() == client.get("/log/checkpoint").content.decode()
    for ref in tiles.tiles_for_size(size):
        assert (tmp_path / ref.path).read_bytes() == client.get(f"/log/{ref.path}").content
    assert export(tmp_path)[1] == written  # partial tiles are rewritten; none is full yet


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2020-11-09 14:06:04", "2020-11-09T14:06:04Z"),  # SQLite
        ("2020-11-09 14:06:04.213000", "2020-11-09T14:06:04.213000Z"),
        ("2020-11-09 14:06:04.213+00", "2020-11-09T14:06:04.213000Z"),  # PostgreSQL as text
        ("2020-11-09 14:06:04+00", "2020-11-09T14:06:04Z"),
        ("2020-11-09 09:06:04.5-05", "2020-11-09T14:06:04.500000Z"),
    ],
)
def test_verify_reads_times_as_either_database_writes_them(text: str, expected: str) -> None:
    from chancery.ledger.verify import _leaf_time

    assert _leaf_time(text) == expected
