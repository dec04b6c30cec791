"""``chancery monitor``: an outsider watching the log over HTTP, with no database access.

The log runs on pytest-django's live server (a real HTTP server in a thread), so the monitor sees
exactly what a foreign ministry would: /log/checkpoint and the tiles. Tests change the log
behind the application's back (forged checkpoints signed with the log's own key, a rolled-back
head, edited tiles, a rewritten history) and check that the monitor says so, and keeps the
contradicting signed notes as evidence.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.conf import settings
from django.db import connection

from chancery.ledger import merkle, monitor, note, sequencer, tiles
from chancery.ledger.models import Checkpoint, Event, LogHead, Tile
from chancery.ledger.monitor import FetchError, Monitor, MonitorError, check_leaf
from chancery.ledger.services import build_leaf

pytestmark = pytest.mark.usefixtures("transactional_db")


# --------------------------------------------------------------------------- helpers


def _grow(submit: Any, count: int = 2) -> LogHead:
    """Submit ``count`` messages and integrate them; returns the new head."""
    for n in range(count):
        submit(f"Message {n}: warm congratulations.")
    sequencer.integrate_all()
    return _head()


def _head() -> LogHead:
    return LogHead.objects.select_related("checkpoint").get()


def _bulk_events(count: int, start: int = 0) -> None:
    """``count`` events straight into the table (faster than messages; the log doesn't care)."""
    at = dt.datetime(2020, 11, 7, 16, 0, tzinfo=dt.UTC)
    Event.objects.bulk_create(
        [
            Event(
                at=at,
                kind="message.received",
                subject_type="message",
                subject_id=start + n,
                data={"n": start + n},
                leaf=build_leaf(
                    "message.received", "message", start + n, at, None, {"n": start + n}
                ),
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    sequencer.integrate_all()


def _signer() -> note.Signer:
    return note.Signer.from_text(Path(settings.CHANCERY_LOG_KEY_FILE).read_text().strip())


def _serve(text: str) -> None:
    """Make /log/checkpoint serve ``text`` (the head's checkpoint row, edited in place, and
    no stamp)."""
    Checkpoint.objects.filter(pk=_head().checkpoint_id).update(note=text, cosigned="")
    LogHead.objects.update(stamp="")


def _forge(size: int, root: bytes, signer: note.NoteSigner | None = None) -> str:
    signer = signer or _signer()
    return note.sign_note(
        note.Checkpoint(origin=settings.CHANCERY_LOG_ORIGIN, size=size, root=root).body(), signer
    )


@pytest.fixture
def base(live_server: Any) -> str:
    return f"{live_server.url}/log"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "monitor-state"


def _monitor(base: str, state: Path, **kw: Any) -> Monitor:
    return Monitor(base, sequencer.ensure_head().vkey, state, **kw)


def _saved(state: Path) -> str:
    (path,) = state.glob("*.checkpoint")
    return path.read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --------------------------------------------------------------------------- checkpoints


def test_first_run_trusts_on_first_use_and_saves_the_note_verbatim(
    base: str, state: Path, submit: Any
) -> None:
    head = _grow(submit, 3)
    result = _monitor(base, state).check()
    assert result.first_run and result.changed
    assert (result.size, result.root) == (head.size, bytes(head.checkpoint.root))
    assert "on first use" in result.lines()[0]
    assert _saved(state) == sequencer.served(head)
    assert result.state_file.name.endswith(".checkpoint")


def test_empty_log_is_accepted(base: str, state: Path) -> None:
    result = _monitor(base, state).check(entries=True)
    assert result.size == 0 and result.root == merkle.EMPTY_ROOT
    assert result.entries_verified == 0


def test_growth_is_verified_by_a_consistency_proof_from_the_tiles(
    base: str, state: Path, submit: Any
) -> None:
    first = _grow(submit, 2).size
    mon = _monitor(base, state)
    mon.check()
    head = _grow(submit, 3)
    result = mon.check()
    assert (result.previous_size, result.size, result.changed) == (first, head.size, True)
    assert result.lines() == [
        f"size {head.size} root {monitor._b64(result.root)} consistent with {first}"
    ]
    assert _saved(state) == sequencer.served(head)
    again = mon.check()
    assert not again.changed and again.lines() == []


def test_growth_across_many_tiles(base: str, state: Path) -> None:
    _bulk_events(300)
    mon = _monitor(base, state)
    mon.check()
    _bulk_events(5000 - 300, start=300)  # 19 full level-0 tiles, a partial level-1 tile
    result = mon.check()
    assert (result.previous_size, result.size) == (300, 5000)


def test_fork_at_the_same_size_is_detected_and_both_notes_kept(
    base: str, state: Path, submit: Any
) -> None:
    head = _grow(submit, 2)
    mon = _monitor(base, state)
    mon.check()
    accepted = _saved(state)
    forged = _forge(head.size, merkle.leaf_hash(b"another history"))
    _serve(forged)
    with pytest.raises(MonitorError, match="fork: the log signed two different roots") as info:
        mon.check()
    assert "proof" in str(info.value)
    assert _saved(state) == accepted  # nothing new accepted
    (evidence,) = (state / "evidence").iterdir()
    assert (evidence / "accepted.checkpoint").read_text() == accepted
    assert (evidence / "served.checkpoint").read_text() == forged
    with pytest.raises(MonitorError, match="fork"):
        mon.check()  # still refused; the same evidence is not duplicated
    assert len(list((state / "evidence").iterdir())) == 1


def test_rewritten_history_is_not_consistent(base: str, state: Path, submit: Any) -> None:
    _grow(submit, 2)
    mon = _monitor(base, state)
    mon.check()
    old = _saved(state)
    # Start the log over with other entries and the same key: a bigger tree, properly tiled and
    # signed, that does not contain the tree the monitor saw.
    LogHead.objects.all().delete()
    Checkpoint.objects.all().delete()
    Tile.objects.all().delete()
    Event.objects.all().delete()
    _bulk_events(40)
    with pytest.raises(MonitorError, match="does not extend the tree of size") as info:
        mon.check()
    assert "Both signed checkpoints are kept" in str(info.value)
    assert _saved(state) == old
    (evidence,) = (state / "evidence").iterdir()
    assert evidence.name.split("-")[-2] == "inconsistent"


def test_a_log_that_went_backwards_is_detected(base: str, state: Path, submit: Any) -> None:
    old_head = _grow(submit, 2)
    old_checkpoint = old_head.checkpoint
    new_head = _grow(submit, 2)
    mon = _monitor(base, state)
    mon.check()
    LogHead.objects.update(size=old_checkpoint.size, checkpoint=old_checkpoint)
    with pytest.raises(MonitorError, match="went backwards") as info:
        mon.check()
    assert f"size {old_checkpoint.size}" in str(info.value)
    assert _saved(state) == sequencer.served(new_head)


def test_tampered_hash_tile_fails_the_consistency_check(
    base: str, state: Path, submit: Any
) -> None:
    _grow(submit, 2)
    mon = _monitor(base, state)
    mon.check()
    _grow(submit, 2)
    with connection.cursor() as cursor:
        cursor.execute('SELECT data FROM ledger_tile WHERE level = 0 AND "index" = 0')
        data = bytearray(cursor.fetchone()[0])
        data[0] ^= 1
        cursor.execute(
            'UPDATE ledger_tile SET data = %s WHERE level = 0 AND "index" = 0', [bytes(data)]
        )
    with pytest.raises(MonitorError, match="hash tiles served for size .* give the root"):
        mon.check()
    # A newcomer is not fooled either: the first run checks the tiles against the signed root.
    with pytest.raises(MonitorError, match="tiles were altered"):
        _monitor(base, state / "fresh").check()


def test_checkpoint_signed_by_another_key_is_rejected(
    base: str, state: Path, submit: Any
) -> None:
    head = _grow(submit, 2)
    impostor = note.Signer.from_text(note.generate_key(settings.CHANCERY_LOG_ORIGIN)[0])
    _serve(_forge(head.size, bytes(head.checkpoint.root), impostor))
    with pytest.raises(MonitorError, match="not signed by the log key") as info:
        _monitor(base, state).check()
    assert f"{impostor.name}+{impostor.key_id:08x}" in str(info.value)
    assert not state.exists() or not list(state.glob("*.checkpoint"))


def test_wrong_key_and_garbage_are_rejected(base: str, state: Path, submit: Any) -> None:
    _grow(submit, 1)
    other = note.generate_key(settings.CHANCERY_LOG_ORIGIN)[1]
    with pytest.raises(MonitorError, match="not signed by the log key"):
        Monitor(base, other, state).check()
    with pytest.raises(MonitorError, match="not a verifier key"):
        Monitor(base, "not-a-key", state)
    with pytest.raises(MonitorError, match="not an http"):
        Monitor("file:///etc", other, state)
    head = _head()
    renamed = note.sign_note(
        note.Checkpoint("elsewhere.example/log", head.size, bytes(head.checkpoint.root)).body(),
        _signer(),
    )
    _serve(renamed)  # the log's own key, another origin: not a way to start a fresh history
    with pytest.raises(MonitorError, match="origin 'elsewhere.example/log'"):
        _monitor(base, state).check()
    _serve("hello\n")
    with pytest.raises(MonitorError, match="does not verify"):
        _monitor(base, state).check()


def test_witness_cosignature_is_required_when_given(base: str, state: Path, submit: Any) -> None:
    head = _grow(submit, 2)
    skey, vkey = note.generate_witness_key("witness.example/w1")
    witness = note.CosignatureSigner.from_text(skey)
    mon = _monitor(base, state, witnesses=[vkey])
    with pytest.raises(MonitorError, match="not cosigned by the witness"):
        mon.check()
    body = note.Checkpoint(
        settings.CHANCERY_LOG_ORIGIN, head.size, bytes(head.checkpoint.root)
    ).body()
    cosigned = head.checkpoint.note + witness.cosign(body, 1_700_000_000)
    Checkpoint.objects.filter(pk=head.checkpoint_id).update(cosigned=cosigned)
    assert mon.check().size == head.size
    assert _saved(state) == sequencer.served(_head())
    assert _saved(state).endswith(head.stamp + cosigned.removeprefix(head.checkpoint.note))


def test_unreachable_server_and_wrong_prefix_give_clear_errors(
    base: str, state: Path, live_server: Any
) -> None:
    sequencer.ensure_head()
    with pytest.raises(FetchError, match="cannot reach http://127.0.0.1:.*/log/checkpoint"):
        _monitor(f"http://127.0.0.1:{_free_port()}/log", state, timeout=5).check()
    with pytest.raises(FetchError, match="HTTP 404 .*log's prefix"):
        _monitor(f"{live_server.url}/nolog", state).check()


# --------------------------------------------------------------------------- entries


def test_entries_are_verified_and_resume_without_downloading_again(
    base: str, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bulk_events(600)  # bundles 0 and 1 full, 2 partial (88)
    mon = _monitor(base, state)
    mon.save_every = 1
    fetched: list[str] = []
    fetch = mon._fetch

    def spy(path: str, limit: int) -> bytes:
        fetched.append(path)
        return fetch(path, limit)

    monkeypatch.setattr(mon, "_fetch", spy)
    result = mon.check(entries=True)
    assert (result.entries_verified, result.new_entries) == (600, 600)
    assert [p for p in fetched if p.startswith("tile/entries/")] == [
        "tile/entries/000",
        "tile/entries/001",
        "tile/entries/002.p/88",
    ]
    (path,) = state.glob("*.entries.json")
    saved = json.loads(path.read_text())
    assert saved["size"] == 600 and len(saved["right_edge"]) == (600).bit_count()
    assert saved["proven_against"]["size"] == 600

    _bulk_events(10, start=600)
    fetched.clear()
    result = mon.check(entries=True)
    assert (result.previous_size, result.entries_verified, result.new_entries) == (600, 610, 10)
    assert [p for p in fetched if p.startswith("tile/entries/")] == ["tile/entries/002.p/98"]

    fetched.clear()
    result = mon.check(entries=True)
    assert result.new_entries == 0 and not result.changed
    assert fetched == ["checkpoint"]
    assert mon.verify_entries() == 0  # against the accepted checkpoint, with nothing to do

    fresh = _monitor(base, state / "fresh")
    with pytest.raises(MonitorError, match="no checkpoint has been accepted yet"):
        fresh.verify_entries()
    fresh.check()
    assert fresh.verify_entries() == 610


def test_interrupted_entry_verification_resumes_from_a_proven_prefix(
    base: str, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bulk_events(700)
    mon = _monitor(base, state)
    mon.save_every = 1
    fetch = mon._fetch

    def flaky(path: str, limit: int) -> bytes:
        if path.startswith("tile/entries/002"):
            raise FetchError("connection lost")
        return fetch(path, limit)

    monkeypatch.setattr(mon, "_fetch", flaky)
    with pytest.raises(FetchError):
        mon.check(entries=True)
    assert not list(state.glob("*.checkpoint"))  # nothing accepted before it all verified
    (path,) = state.glob("*.entries.json")
    assert json.loads(path.read_text())["size"] == 512
    monkeypatch.setattr(mon, "_fetch", fetch)
    result = mon.check(entries=True)
    assert (result.first_run, result.entries_verified, result.new_entries) == (True, 700, 188)


def test_tampered_entry_bundle_is_detected_by_entries(
    base: str, state: Path, submit: Any
) -> None:
    _grow(submit, 3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM ledger_tile WHERE level = -1")
        data = bytes(cursor.fetchone()[0])
        assert b"message.received" in data
        cursor.execute(
            "UPDATE ledger_tile SET data = %s WHERE level = -1",
            [data.replace(b"message.received", b"message.rejected", 1)],
        )
    # The hash tiles are intact, so the checkpoint still checks out...
    assert _monitor(base, state / "plain").check().size == _head().size
    # ...but the entries served are not the ones hashed into the log.
    with pytest.raises(MonitorError, match=r"entry \d+ in tile/entries/000.p/\d+ does not hash"):
        _monitor(base, state).check(entries=True)
    assert not list(state.glob("*.checkpoint"))


def test_entries_state_that_does_not_match_the_log_is_caught(
    base: str, state: Path, submit: Any
) -> None:
    _grow(submit, 2)
    mon = _monitor(base, state)
    mon.check(entries=True)
    (path,) = state.glob("*.entries.json")
    saved = json.loads(path.read_text())
    edge = [merkle.leaf_hash(b"x") for _ in saved["right_edge"]]
    saved["right_edge"] = [monitor._b64(h) for h in edge]
    saved["root"] = monitor._b64(merkle.Tree.from_right_edge(saved["size"], edge).root())
    path.write_text(json.dumps(saved))
    _grow(submit, 1)
    with pytest.raises(MonitorError, match="rebuild the root"):
        mon.check(entries=True)
    path.write_text("{}")
    with pytest.raises(MonitorError, match="not valid entry verification state"):
        mon.check(entries=True)


def _leaf(**change: Any) -> bytes:
    obj: dict[str, Any] = {
        "v": monitor.LEAF_VERSION,
        "kind": "message.received",
        "subject": "message:7",
        "at": "2020-11-07T16:00:00.123456Z",
        "actor": "liaison.ca",
        "data": {"commitment": "ab", "tracking": "CH-2020-000007"},
    }
    obj.update(change)
    return monitor._canonical_json({k: v for k, v in obj.items() if v is not ...})


@pytest.mark.parametrize(
    "entry, problem",
    [
        (b"\xff", "not valid UTF-8"),
        (b"{", "not valid JSON"),
        (b"[1]", "not an object"),
        (b'{"v": 1}', "not canonical"),
        (b'{"v":1,"v":1}', "not canonical"),
        (b'{"x":NaN}', "not valid JSON"),
        (_leaf(actor=...), "missing: actor"),
        (_leaf(extra=1), "unexpected: extra"),
        (_leaf(v=monitor.LEAF_VERSION + 1), f"leaf version {monitor.LEAF_VERSION + 1}"),
        (_leaf(v=True), "leaf version True"),
        (_leaf(kind=""), "'kind'"),
        (_leaf(subject="message"), "'subject'"),
        (_leaf(at="2020-11-07T16:00:00+00:00"), "'at'"),
        (_leaf(at="yesterdayZ"), "'at'"),
        (_leaf(actor=5), "'actor'"),
        (_leaf(data=[]), "'data'"),
    ],
)
def test_check_leaf_rejects_what_is_not_a_canonical_chancery_leaf(
    entry: bytes, problem: str
) -> None:
    with pytest.raises(MonitorError, match=problem):
        check_leaf(entry, 3)


def test_check_leaf_accepts_what_the_application_writes() -> None:
    at = dt.datetime(2020, 11, 7, 16, 0, tzinfo=dt.UTC)
    leaf = build_leaf("hold.placed", "message", 9, at, "officer.one", {"reason": "x"}, "00" * 16)
    assert check_leaf(leaf)["subject"] == "message:9"
    assert check_leaf(_leaf(actor=None))["actor"] is None


# --------------------------------------------------------------------------- the command


def test_command_prints_each_checkpoint_and_exits_1_on_failure(
    base: str, state: Path, submit: Any
) -> None:
    head = _grow(submit, 2)
    runner = CliRunner()
    args = [base, "--key", head.vkey, "--state", str(state), "--once"]
    first = runner.invoke(monitor.monitor_command, args)
    assert first.exit_code == 0, first.output
    assert "trusting" in first.stdout and "on first use" in first.stdout

    same = runner.invoke(monitor.monitor_command, args)
    assert same.exit_code == 0 and "unchanged" in same.stdout

    grown = _grow(submit, 2)
    second = runner.invoke(monitor.monitor_command, [*args, "--entries"])
    assert second.exit_code == 0, second.output
    assert f"size {grown.size} root " in second.stdout
    assert f"consistent with {head.size}" in second.stdout
    assert f"{grown.size} in all verified" in second.stdout

    _serve(_forge(grown.size, merkle.leaf_hash(b"fork")))
    forked = runner.invoke(monitor.monitor_command, args)
    assert forked.exit_code == 1
    assert "FAILED: fork" in forked.stderr and forked.stdout == ""

    down = runner.invoke(
        monitor.monitor_command,
        [f"http://127.0.0.1:{_free_port()}/log", "--key", head.vkey, "--state", str(state)],
    )
    assert down.exit_code == 1 and "cannot reach" in down.stderr

    bad_key = runner.invoke(monitor.monitor_command, [base, "--key", "nope", "--once"])
    assert bad_key.exit_code == 1 and "not a verifier key" in bad_key.stderr


def test_command_polls_until_stopped(
    base: str, state: Path, submit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = _grow(submit, 1)
    sleeps: list[float] = []

    def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:
            _grow(submit, 1)
        elif len(sleeps) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(monitor.time, "sleep", fake_sleep)
    result = CliRunner().invoke(
        monitor.monitor_command,
        [base, "--key", head.vkey, "--state", str(state), "--interval", "7"],
    )
    assert result.exit_code == 0, result.output
    assert sleeps == [7, 7, 7]
    lines = result.stdout.splitlines()
    assert len(lines) == 2  # first use, then one growth; the unchanged poll prints nothing
    assert lines[1].endswith(f"consistent with {head.size}")


def test_tiles_module_paths_match_what_the_monitor_fetches() -> None:
    """The entry bundle widths the monitor asks for are those of tlog-tiles."""
    assert tiles.tile_width(None, 2, 600) == 88
    assert tiles.entries_path(2, 88) == "tile/entries/002.p/88"
