"""``chancery verify`` checks everything the log commits to, through what the apps register.

Each test changes the database behind the application's back (SQL), or logs something the rules
do not allow (``record_event`` called directly), and expects verify to name it, with the log
index where the database and the log part.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection, transaction

from chancery import clock
from chancery.correspondence import services
from chancery.correspondence.models import Hold, Message
from chancery.ledger import kinds, merkle, monitor, note, sequencer, tiles, witness
from chancery.ledger.models import ENTRIES_LEVEL, Checkpoint, Event, LogHead, Tile
from chancery.ledger.services import record_event
from chancery.ledger.verify import Claim, Report, _check_claims, verify_log


def _integrate() -> LogHead:
    sequencer.integrate_all()
    return LogHead.objects.select_related("checkpoint").get()


def _seq(kind: str, **filters: Any) -> int:
    events = Event.objects.filter(kind=kind, **filters).order_by("-id")
    seq = events.values_list("seq", flat=True)[0]
    assert seq is not None
    return seq


def _sql(sql: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def _broken(expected: str, first: int | None) -> Report:
    report = verify_log()
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems
    assert report.first_divergent == first, (report.first_divergent, report.problems)
    return report


@pytest.fixture
def lifecycle(submit: Any, people: dict[str, Any], world: dict[str, Any]) -> dict[str, Any]:
    """One message through every step an officer, a translator and an office can take, a
    second message held, and a principal's status change; all in the log, verify clean."""
    officer, second = people["officer"], people["officer2"]
    message = submit(
        "Toutes nos félicitations.", language="fr",
        attachments=[("letter.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")],
    )
    services.triage(message, by=officer, note="Routine.")
    hold = services.place_hold(message, by=officer, category="security", reason="Screening.")
    services.confirm_hold(hold, by=second)
    services.renew_hold(hold, by=officer)
    services.renew_hold(hold, by=second)
    services.release_hold(hold, by=officer, reason="Cleared.")
    translation = services.request_translation(
        message, by=officer, source_language="fr", target_language="en"
    )
    services.sign_off_translation(
        translation, by=people["translator"], text="All our congratulations."
    )
    services.deliver(message, by=officer)
    services.acknowledge(message, by=people["staffer"])
    held = submit("A second letter.")
    held_hold = services.place_hold(held, by=officer, category="legal", reason="Legal review.")
    services.confirm_hold(held_hold, by=second)
    services.set_principal_status(world["vpe"], by=people["admin"], status="ascertained")
    _integrate()
    report = verify_log()
    assert report.ok, report.problems
    assert report.subjects == {
        "message": 2, "principal": 2, "office": 2, "integrity": 0,
        "call": 0, "interpreter": 0, "call_settings": 0, "blocked_time": 0,
        "telcon": 0, "readout": 0, "reply": 0, "read": 0,
    }
    return {
        "message": message, "hold": hold, "translation": translation, "held": held,
        "held_hold": held_hold, "principal": world["vpe"], **people,
    }


def test_a_whole_lifecycle_verifies(lifecycle: dict[str, Any]) -> None:
    report = verify_log()
    assert report.ok and report.rows == report.entries == LogHead.objects.get().size


@pytest.mark.parametrize(
    "sql, expected, kind",
    [
        # An insider extends a hold: its expiry is in the leaf of its last confirmation.
        ("UPDATE correspondence_hold SET expires_at = '2099-01-01 00:00:00' WHERE id = {held_hold}",
         "expiry", "hold.confirmed"),
        ("UPDATE correspondence_hold SET renewals = 0 WHERE id = {hold}", "renewals",
         "hold.renewed"),
        ("UPDATE correspondence_hold SET release_reason = 'x' WHERE id = {hold}",
         "release reason", "hold.released"),
        ("UPDATE correspondence_hold SET released_at = NULL, released_by_id = NULL "
         "WHERE id = {hold}", "released at", "hold.released"),
        ("UPDATE correspondence_hold SET confirmed_by_id = placed_by_id WHERE id = {held_hold}",
         "confirmed by", "hold.confirmed"),
        ("DELETE FROM correspondence_hold WHERE id = {held_hold}", "has no row", "hold.placed"),
        ("UPDATE correspondence_message SET state = 'delivered' WHERE id = {held}", "state",
         "hold.confirmed"),
        ("UPDATE correspondence_message SET state = 'rejected' WHERE id = {message}", "state",
         "message.acknowledged"),
        ("UPDATE correspondence_message SET delivered_at = '2099-01-01 00:00:00' "
         "WHERE id = {message}", "delivered_at", "message.delivered"),
        ("UPDATE correspondence_message SET due_at = '2099-01-01 00:00:00' WHERE id = {message}",
         "delivery target", "message.received"),
        ("UPDATE correspondence_message SET triage_note = '' WHERE id = {message}",
         "triage note", "message.triaged"),
        ("DELETE FROM correspondence_attachment", "attachments", "message.received"),
        ("UPDATE correspondence_translation SET text = 'Forged.' WHERE id = {translation}",
         "text", "translation.signed_off"),
        ("UPDATE correspondence_translation SET translator_id = NULL WHERE id = {translation}",
         "translator", "translation.signed_off"),
        ("UPDATE directory_principal SET status = 'projected' WHERE id = {principal}", "status",
         "principal.status"),
        ("UPDATE directory_principal SET delivery_requires = 'inaugurated' "
         "WHERE id = {principal}", "delivery is held", "principal.status"),
        ("UPDATE directory_statuschange SET by_id = NULL", "status change 1 differs",
         "principal.status"),
    ],
)
def test_verify_names_each_row_changed_behind_the_applications_back(
    lifecycle: dict[str, Any], sql: str, expected: str, kind: str
) -> None:
    ids = {name: getattr(value, "pk", None) for name, value in lifecycle.items()}
    _sql(sql.format(**ids))
    subject = "principal" if kind == "principal.status" else "message"
    sid = ids["principal"] if subject == "principal" else (
        ids["held"] if "{held" in sql else ids["message"]
    )
    _broken(expected, _seq(kind, subject_type=subject, subject_id=sid))


def test_a_delivery_while_a_confirmed_hold_is_in_force_is_reported_though_logged(
    lifecycle: dict[str, Any],
) -> None:
    held, hold = lifecycle["held"], lifecycle["held_hold"]
    with transaction.atomic():  # what no service allows: deliver past the hold
        Message.objects.filter(pk=held.pk).update(state="delivered", delivered_at=clock.now())
        event = record_event(
            "message", held.pk, "message.delivered", actor=lifecycle["officer"],
            data={"tracking": held.tracking, "principal": held.principal.slug, "reason": "x"},
        )
    _integrate()
    event.refresh_from_db()
    _broken(f"delivered while hold #{hold.pk} (confirmed) was in force", event.seq)


def test_a_step_the_state_machine_does_not_allow_is_reported_though_logged(
    lifecycle: dict[str, Any],
) -> None:
    held = lifecycle["held"]
    with transaction.atomic():
        Message.objects.filter(pk=held.pk).update(
            state="acknowledged", acknowledged_at=clock.now()
        )
        event = record_event(
            "message", held.pk, "message.acknowledged", actor=lifecycle["staffer"],
            data={"tracking": held.tracking, "principal": held.principal.slug},
        )
    _integrate()
    event.refresh_from_db()
    _broken("a received message cannot be acknowledged", event.seq)


def test_a_hold_confirmed_by_the_officer_who_placed_it_is_reported(
    lifecycle: dict[str, Any],
) -> None:
    message = lifecycle["held"]
    Hold.objects.filter(pk=lifecycle["held_hold"].pk).update(released_at=clock.now())
    with transaction.atomic():
        hold = Hold.objects.create(
            message=message, category="other", reason="Again.", placed_at=clock.now(),
            placed_by=lifecycle["officer"], confirmed_by=lifecycle["officer"],
            confirmed_at=clock.now(), expires_at=clock.now() + dt.timedelta(hours=1),
        )
        base = {"tracking": message.tracking, "principal": message.principal.slug}
        expires = hold.expires_at.isoformat()
        for kind, data in (
            ("hold.released", {"hold": lifecycle["held_hold"].pk, "reason": ""}),
            ("hold.placed", {"hold": hold.pk, "category": "other", "reason": "Again.",
                             "expires": expires}),
            ("hold.confirmed", {"hold": hold.pk, "expires": expires}),
        ):
            event = record_event("message", message.pk, kind, actor=lifecycle["officer"],
                                 data={**base, **data})
    Hold.objects.filter(pk=lifecycle["held_hold"].pk).update(
        released_at=Event.objects.get(
            kind="hold.released", data__hold=lifecycle["held_hold"].pk
        ).at,
        released_by=lifecycle["officer"],
    )
    _integrate()
    event.refresh_from_db()
    _broken("confirmed by the officer who placed it", event.seq)


# --- the order of events -------------------------------------------------------------------------


@pytest.fixture
def dated_kind() -> Iterator[None]:
    kinds.declare("test.dated", subject="record", public=["n"], description="A dated test event.",
                  declared_in="tests/ledger/test_verify_checks.py")
    yield
    kinds._KINDS.pop("test.dated")


def _dated(offsets: list[float]) -> list[Event]:
    """Events of a subject type without checks, at ``start + offset`` seconds each."""
    start = clock.now()
    out = []
    for n, offset in enumerate(offsets):
        with transaction.atomic():
            out.append(record_event("record", n, "test.dated", data={"n": n},
                                    at=start + dt.timedelta(seconds=offset)))
    _integrate()
    return out


def test_an_event_dated_before_an_earlier_entry_is_reported(db: Any, dated_kind: None) -> None:
    _dated([0, 60, 120, 118, 180, 240, 130, 300])  # 118: within the skew; 130: back-dated
    report = _broken("back-dated", 6)
    assert "110.000 s before entry 5" in " ".join(report.problems)
    assert any("record" in n for n in report.notes)  # no app checks these subjects' rows


def test_the_skew_allowed_is_a_setting(db: Any, dated_kind: None, settings: Any) -> None:
    settings.CHANCERY_VERIFY_CLOCK_SKEW = 200
    _dated([0, 240, 130])
    assert verify_log().ok


@pytest.mark.django_db(transaction=True)
def test_pass_2_runs_in_processes_and_finds_the_same_first_entry(dated_kind: None) -> None:
    # Two processes take entries 0-4 and 5-9; entry 5 runs back behind entry 4, which only
    # the first process saw.
    _dated([0, 10, 20, 30, 400, 100, 500, 600, 700, 800])
    one = verify_log(processes=1)
    two = verify_log(processes=2)
    assert two.processes == 2 and one.processes == 1
    assert one.first_divergent == two.first_divergent == 5
    assert one.problems == two.problems
    _sql("UPDATE ledger_event SET data = '{\"n\": 99}' WHERE seq = 7")
    two = verify_log(processes=2)
    assert two.first_divergent == 5 and any("entry 7" in p and "edited" in p for p in two.problems)


# --- the first divergent entry -------------------------------------------------------------------


def test_the_headline_names_the_edited_entry_not_the_first_or_last(submit: Any) -> None:
    for n in range(4):
        submit(f"Message {n}.")
    head = _integrate()
    assert head.size == 4
    _sql("UPDATE ledger_event SET data = '{}' WHERE seq = 2")
    _broken("entry 2", 2)


def test_an_entry_bundle_differing_is_named_by_its_entry(submit: Any) -> None:
    for n in range(4):
        submit(f"Message {n}.")
    _integrate()
    bundle = Tile.objects.get(level=ENTRIES_LEVEL, index=0)
    entries = tiles.decode_entries(bytes(bundle.data))
    entries[1] = entries[1].replace(b"Message", b"Massage") + b" "
    Tile.objects.filter(pk=bundle.pk).update(data=tiles.encode_entries(entries))
    _broken("entry 1 differs from the published entry bundle", 1)


def test_a_root_that_differs_is_located_by_the_signers_right_edge() -> None:
    ours = [merkle.leaf_hash(b"%d" % n) for n in range(13)]
    theirs = list(ours)
    theirs[9] = merkle.leaf_hash(b"other")
    tree = merkle.Tree.from_leaves(ours)
    signed = merkle.Tree.from_leaves(theirs)
    report = Report()
    _check_claims(report, tree, [Claim("witness", signed.root(), signed.right_edge)])
    # 13 = 8 + 4 + 1: entries 0-7 agree; 8-11 is the first subtree that differs.
    assert report.first_divergent == 8 and "entries 8–11" in report.problems[0]
    report = Report()
    report.agreed[True] = 10  # an outside checkpoint of size 10 agreed: the change is later
    tree2 = merkle.Tree.from_leaves(ours)
    _check_claims(report, tree2, [Claim("witness", signed.root())])
    assert report.first_divergent == 10


# --- what outside the database verify compares with ----------------------------------------------


def test_without_outside_checkpoints_verify_says_so(submit: Any) -> None:
    submit("First.")
    _integrate()
    report = verify_log()
    assert report.ok and not report.compared_with
    assert any("nothing outside the database" in n for n in report.notes)
    result = CliRunner().invoke(_cli(), ["verify"])
    assert result.exit_code == 0, result.output
    assert "nothing outside the database" in result.output


def _cli() -> Any:
    from chancery.cli import main

    return main


def test_verify_compares_with_the_newest_checkpoint_a_witness_cosigned(
    submit: Any, settings: Any
) -> None:
    signer_text, vkey = note.generate_witness_key("witness.example")
    signer = note.CosignatureSigner.from_text(signer_text)
    settings.CHANCERY_WITNESSES = [f"https://witness.example/ {vkey}"]
    submit("First.")
    head = _integrate()
    row = Checkpoint.objects.get(size=head.size)
    text, lines = witness._split(row.note)
    Checkpoint.objects.filter(pk=row.pk).update(
        cosigned=text + "\n" + "".join(lines) + signer.cosign(text, 1_700_000_000)
    )
    report = verify_log()
    assert report.ok, report.problems
    assert report.compared_with == [f"checkpoint {head.size} cosigned by witness witness.example"]
    # The witness cosigned another tree of this size than the rows give: a split view.
    log = note.Signer.from_text(settings.CHANCERY_LOG_KEY_FILE.read_text().strip())
    forged = sequencer.signed_checkpoint(log, head.size, b"\x07" * 32)
    text, lines = witness._split(forged)
    Checkpoint.objects.filter(pk=row.pk).update(
        cosigned=forged + signer.cosign(text, 1_700_000_000)
    )
    _broken("cosigned by witness witness.example: root 0707", 0)


def test_verify_compares_with_a_monitors_state(submit: Any, tmp_path: Path) -> None:
    for n in range(5):
        submit(f"Message {n}.")
    head = _integrate()
    stem = monitor.state_stem(head.origin)
    (tmp_path / f"{stem}.checkpoint").write_text(head.checkpoint.note, encoding="utf-8")
    leaves = [bytes(x) for x in Event.objects.order_by("seq").values_list("leaf", flat=True)]

    def state(hashes: list[bytes]) -> None:
        tree = merkle.Tree.from_leaves(hashes)
        b64 = [base64.b64encode(h).decode() for h in tree.right_edge]
        (tmp_path / f"{stem}.entries.json").write_text(json.dumps({
            "format": 1, "origin": head.origin, "size": tree.size,
            "root": base64.b64encode(tree.root()).decode(), "right_edge": b64,
            "proven_against": {"size": head.size, "root": "x"},
        }))

    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    state(hashes)
    report = verify_log(monitor_state=tmp_path)
    assert report.ok, report.problems
    assert len(report.compared_with) == 2
    # The monitor verified other entries than the database now holds from index 4 on.
    state([*hashes[:4], merkle.leaf_hash(b"what the monitor saw")])
    report = verify_log(monitor_state=tmp_path / f"{stem}.entries.json")
    assert report.first_divergent == 4, report.problems
    assert any("monitor's verified entries" in p and "(entry 4)" in p for p in report.problems)
    result = CliRunner().invoke(_cli(), ["verify", "--monitor-state", str(tmp_path)])
    assert result.exit_code == 1 and "first divergent entry: 4" in result.output, result.output


def test_an_escalation_verifies_and_its_row_is_checked(submit: Any) -> None:
    message = submit("Late.")
    with clock.travel(dt.timedelta(days=2)):
        assert services.escalate_overdue() == [message]
        _integrate()
        assert verify_log().ok
    _sql("UPDATE correspondence_message SET escalated_at = NULL WHERE id = %s", message.pk)
    _broken("escalated_at", _seq("message.escalated"))
    _sql("UPDATE correspondence_message SET escalated_at = "
         "(SELECT at FROM ledger_event WHERE kind = 'message.escalated'), due_at = received_at "
         "WHERE id = %s", message.pk)
    _broken("overdue", _seq("message.received"))
