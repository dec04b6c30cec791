"""The archival export (``chancery records export`` / ``verify-export``): a period's records as a
BagIt bag with the log's checkpoint and an inclusion proof for every event, checked offline."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import bagit
import pytest
from click.testing import CliRunner

from chancery import clock
from chancery.calls.services.requests import CallSubmission, submit_call
from chancery.cli import main
from chancery.correspondence import services
from chancery.errors import Forbidden, InvalidInput
from chancery.ledger import note
from chancery.ledger.models import Event, Read
from chancery.ledger.sequencer import ensure_head, integrate_all
from chancery.records.export import export_bag, verify_bag
from chancery.records.models import Telcon
from chancery.records.services import readouts, replies, telcons


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localtime(clock.now()).date()


def _telcon(call: Any, by: Any) -> Telcon:
    """The call's telcon, drafted by the records officer through the telcons service."""
    return telcons.draft_telcon(
        call, by=by, regime="presidential", location="Telephone (Wilmington, Delaware)",
        participants=["The President-elect", "Emmanuel Macron, President of France"],
        note_takers=["Anna Note", "Ben Taker"], classification="C",
        classified_by="Jane Doe, Executive Secretary", reasons=["b", "d"],
        declassify_on=clock.now().date() + dt.timedelta(days=3650),
        body="(U) The leaders spoke.\n\n(C) They spoke of climate. Félicitations, 気候.",
    )


@pytest.fixture
def period(
    world: dict[str, Any], people: dict[str, Any], submit: Any, completed_call: Any
) -> dict[str, Any]:
    """Two messages (one with a signed-off translation), a completed call and its telcon."""
    first = submit("Félicitations pour votre élection. مبروك. おめでとう。")
    services.request_translation(first, by=people["officer"], source_language="fr")
    services.sign_off_translation(
        first.translations.get(), by=people["translator"], text="Congratulations on your election."
    )
    second = services.deliver(submit("Best wishes from Ottawa.", language="en"),
                              by=people["officer"])
    reply = replies.draft_reply(second, by=people["officer"], body="Thank you, Prime Minister.")
    reply = replies.clear_reply(reply, by=people["staffer"], version=1)
    reply = replies.send_reply(reply, by=people["staffer"])
    today = clock.now().date()
    requested, _ = submit_call(
        CallSubmission(principal="president-elect", office=world["pm_ca"].pk,
                       purpose="Private: trade and the border.", language="en",
                       earliest=today, latest=today + dt.timedelta(days=7)),
        by=people["liaison_ca"],
    )
    telcon = _telcon(completed_call, people["records"])
    telcons.revise_telcon(telcon, by=people["records"], note="The place was wrong.",
                          location="Telephone (Washington, D.C.)")
    version = readouts.draft_readout(completed_call, by=people["officer"], title="Read-out",
                                     body="The President-elect spoke with President Macron.")
    readouts.clear_readout(version.readout, by=people["staffer"], version=1)
    readouts.publish_readout(version.readout, by=people["staffer"])
    return {"messages": [first, second], "call": completed_call, "requested": requested,
            "telcon": telcon, "readout": version.readout, "reply": reply}


def _export(tmp_path: Path, people: dict[str, Any], name: str = "bag") -> Path:
    out = tmp_path / name
    day = _today()
    export_bag(day, day, out, by=people["records"])
    return out


def test_export_then_verify_passes_and_every_export_is_a_read(
    tmp_path: Path, period: dict[str, Any], people: dict[str, Any]
) -> None:
    seen: list[tuple[str, int, int]] = []
    day = _today()
    out = tmp_path / "bag"
    report = export_bag(day, day, out, by=people["records"],
                        progress=lambda s, d, t: seen.append((s, d, t)))
    assert report.counts == {"messages": 2, "calls": 2, "telcons": 1, "readouts": 1,
                             "replies": 1}
    assert seen[-1] == ("proving", 7, 7)
    # The log was integrated first: every event of these records is in the bag's checkpoint.
    assert report.integrated > 0
    head = ensure_head()
    assert report.log_size == head.size and report.log_origin == head.origin
    assert report.events == sum(
        Event.objects.filter(subject_type=t, subject_id=o.pk).count()
        for t, o in [("message", period["messages"][0]), ("message", period["messages"][1]),
                     ("call", period["call"]), ("call", period["requested"]),
                     ("telcon", period["telcon"]), ("readout", period["readout"]),
                     ("reply", period["reply"])]
    )

    bag = bagit.Bag(str(out))
    assert bag.is_valid()
    assert bag.info["Chancery-Record-Count"] == "7"
    assert bag.info["Chancery-Log-Origin"] == head.origin
    assert bag.info["Chancery-Log-Size"] == str(report.log_size)
    assert str(day) in bag.info["External-Description"]
    assert (out / "data" / "log" / "key").read_text().strip() == head.vkey

    message = period["messages"][0]
    item = json.loads((out / "data" / "records" / "messages" / f"{message.tracking}.json")
                      .read_text(encoding="utf-8"))
    assert item["record"]["body"] == message.body  # the archive holds the text in clear
    assert item["translations"][0]["text"] == "Congratulations on your election."
    kinds = [e["kind"] for e in item["events"]]
    assert kinds[0] == "message.received" and "translation.signed_off" in kinds
    assert all(isinstance(e["index"], int) and e["proof"] is not None for e in item["events"])
    telcon = period["telcon"]
    t_item = json.loads((out / "data" / "records" / "telcons" / f"{telcon.tracking}.json")
                        .read_text(encoding="utf-8"))
    assert t_item["versions"][0]["body"].startswith("(U) The leaders spoke.")
    assert t_item["events"][0]["data"]["content"]["body"] == t_item["versions"][0]["body"]
    assert t_item["record"]["regime"] == "presidential"

    result = verify_bag(out)
    assert result.ok, result.problems
    assert result.counts["messages"] == 2 and result.events == report.events
    assert verify_bag(out, key=head.vkey).ok

    # Every record exported was read by the records officer, through the export.
    reads = set(Read.objects.filter(via="export").values_list("subject_type", "subject_id",
                                                              "user_id", "part"))
    who = people["records"].pk
    assert reads == {
        ("message", message.pk, who, "archive"),
        ("message", period["messages"][1].pk, who, "archive"),
        ("call", period["call"].pk, who, "archive"),
        ("call", period["requested"].pk, who, "archive"),
        ("telcon", telcon.pk, who, "archive"),
        ("readout", period["readout"].pk, who, "archive"),
        ("reply", period["reply"].pk, who, "archive"),
    }


def test_a_changed_byte_fails_naming_the_file(
    tmp_path: Path, period: dict[str, Any], people: dict[str, Any]
) -> None:
    out = _export(tmp_path, people)
    telcon = period["telcon"]
    name = f"data/records/telcons/{telcon.tracking}.json"
    path = out / name
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"climate", b"climbte", 1))  # same size: the checksums catch it
    result = verify_bag(out)
    assert not result.ok
    assert any(p.startswith(f"{name} sha512 validation failed") for p in result.problems), \
        result.problems
    # The record itself is checked against its events too, naming the file.
    assert f"{name}: version 1: body differs from its event's content" in result.problems
    cli = CliRunner().invoke(main, ["records", "verify-export", str(out)])
    assert cli.exit_code == 1
    assert name in cli.output and "FAILED" in cli.output


def test_a_changed_message_text_fails_against_its_commitment(
    tmp_path: Path, period: dict[str, Any], people: dict[str, Any]
) -> None:
    out = _export(tmp_path, people)
    message = period["messages"][1]
    path = out / "data" / "records" / "messages" / f"{message.tracking}.json"
    item = json.loads(path.read_text(encoding="utf-8"))
    item["record"]["body"] = "Worst wishes from Ottawa."
    item["events"][0]["data"]["commitment"] = "0" * 64
    path.write_text(json.dumps(item), encoding="utf-8")
    problems = verify_bag(out).problems
    name = f"data/records/messages/{message.tracking}.json"
    assert any(p.startswith(f"{name}: the message's text does not match its commitment")
               for p in problems)
    assert any(p.startswith(f"{name}: event message.received") and "leaf" in p
               for p in problems)


def test_a_changed_checkpoint_fails(
    tmp_path: Path, period: dict[str, Any], people: dict[str, Any]
) -> None:
    out = _export(tmp_path, people)
    cp = out / "data" / "log" / "checkpoint"
    lines = cp.read_text(encoding="utf-8").split("\n")
    lines[1] = str(int(lines[1]) + 1)  # claim a larger tree
    cp.write_text("\n".join(lines), encoding="utf-8")
    problems = verify_bag(out).problems
    assert any(p.startswith("data/log/checkpoint sha") for p in problems)  # bagit
    assert any(p.startswith("data/log/checkpoint: does not verify") for p in problems)
    assert any("inclusion proofs were not checked" in p for p in problems)


def test_a_wrong_key_fails(
    tmp_path: Path, period: dict[str, Any], people: dict[str, Any]
) -> None:
    out = _export(tmp_path, people)
    origin = ensure_head().origin
    _, other = note.generate_key(origin)
    result = verify_bag(out, key=other)
    assert not result.ok
    assert any(p.startswith("data/log/key: the bag's key") for p in result.problems)
    assert any(p.startswith("data/log/checkpoint: does not verify with the key given")
               for p in result.problems)
    cli = CliRunner().invoke(main, ["records", "verify-export", str(out), "--key", other])
    assert cli.exit_code == 1 and "the key given" in cli.output

    # A bag whose key was swapped with its checkpoint re-signed still fails against the key
    # the archive was given.
    signer_text, vkey = note.generate_key(origin)
    signer = note.Signer.from_text(signer_text)
    cp_path = out / "data" / "log" / "checkpoint"
    body = cp_path.read_text(encoding="utf-8").split("\n\n")[0] + "\n"
    cp_path.write_text(note.sign_note(body, signer), encoding="utf-8")
    (out / "data" / "log" / "key").write_text(vkey + "\n", encoding="utf-8")
    bagit.Bag(str(out)).save(manifests=True)  # a forger rewrites the manifests too
    assert verify_bag(out).ok  # by its own key the bag is consistent...
    refused = verify_bag(out, key=ensure_head().vkey)  # ...but not by the log's real key
    assert any(p.startswith("data/log/key: the bag's key") for p in refused.problems)


def test_an_event_left_out_of_the_log_fails(
    tmp_path: Path, period: dict[str, Any], people: dict[str, Any]
) -> None:
    out = _export(tmp_path, people)
    call = period["requested"]
    path = out / "data" / "records" / "calls" / f"{call.tracking}.json"
    item = json.loads(path.read_text(encoding="utf-8"))
    item["events"][0]["index"] += 1
    item["record"]["purpose"] = "Something else."
    path.write_text(json.dumps(item), encoding="utf-8")
    bagit.Bag(str(out)).save(manifests=True)
    problems = verify_bag(out).problems
    name = f"data/records/calls/{call.tracking}.json"
    assert any(p.startswith(f"{name}: event call.") and "inclusion proof" in p
               for p in problems), problems
    assert f"{name}: the call's purpose differs from the one call.requested logged" in problems


def test_refusals_write_nothing(
    tmp_path: Path, period: dict[str, Any], people: dict[str, Any]
) -> None:
    day = _today()
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    with pytest.raises(InvalidInput, match="already exists"):
        export_bag(day, day, taken, by=people["records"])
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]
    with pytest.raises(Forbidden, match="records officer"):
        export_bag(day, day, tmp_path / "b", by=people["officer"])
    with pytest.raises(InvalidInput, match="after"):
        export_bag(day, day - dt.timedelta(days=1), tmp_path / "c", by=people["admin"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    assert not Read.objects.filter(via="export").exists()
    # An empty folder is fine (and the admin may export too).
    empty = tmp_path / "empty"
    empty.mkdir()
    report = export_bag(day, day, empty, by=people["admin"])
    assert report.records == 7 and verify_bag(empty).ok


def test_cli_export_and_verify(
    tmp_path: Path, period: dict[str, Any], people: dict[str, Any]
) -> None:
    day = _today().isoformat()
    out = tmp_path / "bag"
    run = CliRunner().invoke(main, ["records", "export", "--from", day, "--to", day,
                                    "--as", "records.officer", str(out)])
    assert run.exit_code == 0, run.output
    assert "7 records (2 messages, 2 calls, 1 telcons, 1 readouts, 1 replies)" in run.output
    ok = CliRunner().invoke(main, ["records", "verify-export", str(out)])
    assert ok.exit_code == 0, ok.output
    assert "OK:" in ok.output and "7 records" in ok.output

    # An empty period is a bag of 0 records.
    empty = tmp_path / "empty"
    run = CliRunner().invoke(main, ["records", "export", "--from", "2001-01-01", "--to",
                                    "2001-01-02", "--as", "admin", str(empty)])
    assert run.exit_code == 0, run.output
    assert "0 records" in run.output and verify_bag(empty).ok


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--from", "2020-13-01", "--to", "2020-12-01"], "--from '2020-13-01' is not a date"),
        (["--from", "2020-11-01", "--to", "1 Dec"], "--to '1 Dec' is not a date"),
        (["--from", "2020-11-30", "--to", "2020-11-01"], "--from 2020-11-30 is after --to"),
    ],
)
def test_cli_bad_dates_are_usage_errors(
    tmp_path: Path, people: dict[str, Any], args: list[str], said: str
) -> None:
    out = tmp_path / "bag"
    run = CliRunner().invoke(main, ["records", "export", *args, "--as", "records.officer",
                                    str(out)])
    assert run.exit_code == 2 and said in run.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cli_refusals(tmp_path: Path, people: dict[str, Any]) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "x").write_text("x")
    args = ["records", "export", "--from", "2020-11-01", "--to", "2020-11-30"]
    run = CliRunner().invoke(main, [*args, "--as", "records.officer", str(taken)])
    assert run.exit_code == 2 and "already exists" in run.output
    run = CliRunner().invoke(main, [*args, "--as", "officer.one", str(tmp_path / "b")])
    assert run.exit_code == 1 and "records officer" in run.output
    run = CliRunner().invoke(main, [*args, "--as", "nobody", str(tmp_path / "b")])
    assert run.exit_code == 1 and "No user 'nobody'" in run.output
    assert not (tmp_path / "b").exists()
    integrate_all()


def test_a_published_readout_changed_in_the_bag_is_not_the_published_text(
    tmp_path: Path, period: dict[str, Any], people: dict[str, Any]
) -> None:
    out = _export(tmp_path, people)
    readout = period["readout"]
    name = f"data/records/readouts/{readout.tracking}.json"
    item = json.loads((out / name).read_text(encoding="utf-8"))
    assert item["versions"][0]["digest"] == readout.versions.get().digest
    item["versions"][0]["body"] = "The President-elect did not speak with President Macron."
    (out / name).write_text(json.dumps(item), encoding="utf-8")
    bagit.Bag(str(out)).save(manifests=True)  # the checksums now agree: the content does not
    problems = verify_bag(out).problems
    assert f"{name}: version 1: body differs from its event's content" in problems
    assert any(p.startswith(f"{name}: version 1: its text is not the published text")
               for p in problems)


def test_a_telcon_version_changed_in_the_bag_differs_from_its_event(
    tmp_path: Path, period: dict[str, Any], people: dict[str, Any]
) -> None:
    out = _export(tmp_path, people)
    name = f"data/records/telcons/{period['telcon'].tracking}.json"
    item = json.loads((out / name).read_text(encoding="utf-8"))
    assert [v["location"] for v in item["versions"]] == [
        "Telephone (Wilmington, Delaware)", "Telephone (Washington, D.C.)"]
    assert [e["kind"] for e in item["events"]][:2] == ["telcon.drafted", "telcon.revised"]
    item["versions"][1]["location"] = "Telephone (Wilmington, Delaware)"
    item["versions"][0]["classification"] = "S"
    (out / name).write_text(json.dumps(item), encoding="utf-8")
    bagit.Bag(str(out)).save(manifests=True)
    problems = verify_bag(out).problems
    assert problems == [
        f"{name}: version 1: classification.level differs from its event's content",
        f"{name}: version 2: header.location differs from its event's content",
    ]


def test_a_sent_reply_changed_in_the_bag_differs_from_what_was_sent(
    tmp_path: Path, period: dict[str, Any], people: dict[str, Any]
) -> None:
    out = _export(tmp_path, people)
    reply = period["reply"]
    name = f"data/records/replies/{reply.tracking}.json"
    item = json.loads((out / name).read_text(encoding="utf-8"))
    assert item["message"] == period["messages"][1].tracking
    assert [e["kind"] for e in item["events"]] == ["reply.drafted", "reply.cleared", "reply.sent"]
    item["record"]["body"] = "No thanks."
    (out / name).write_text(json.dumps(item), encoding="utf-8")
    bagit.Bag(str(out)).save(manifests=True)
    assert verify_bag(out).problems == [
        f"{name}: the reply's text differs from the one reply.drafted logged",
        f"{name}: the reply's text differs from the one reply.sent logged",
    ]


def test_cli_reindex_rebuilds_the_search_index(period: dict[str, Any]) -> None:
    from chancery.records.models import SearchDoc

    SearchDoc.objects.all().delete()
    run = CliRunner().invoke(main, ["records", "reindex"])
    assert run.exit_code == 0, run.output
    count = SearchDoc.objects.count()
    assert count >= 5 and f"indexed {count} documents" in run.output
