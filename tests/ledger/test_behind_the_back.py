"""State changed behind the application's back (issue 9, part 4).

The database's triggers queue every change of a stateful row; a real worker pass (``chancery
worker --once``, a process of its own) compares the changed rows' subjects with their events and
records an ``integrity.alert`` event for each that disagrees, which the dashboard and the public
page show and which enters the log; ``chancery verify`` names the row and the event. The
application's own changes go through the same queue and raise nothing. A status change that
closes a principal's gate again tells the senders of the messages it re-holds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction

from chancery import clock, worker
from chancery.correspondence import services
from chancery.correspondence.models import Hold, Message, Notification
from chancery.correspondence.services.gate import POLICY_HOLD_NOTICE
from chancery.directory.models import Office, Principal
from chancery.directory.services import (
    record_office_holder,
    record_principal_created,
    set_principal_status,
)
from chancery.ledger import integrity, keys, sequencer
from chancery.ledger.models import ChangedRow, Event
from chancery.ledger.verify import verify_log
from chancery.testing import body_of, client_for, set_policy
from tests.live import database_url


def _sql(sql: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))




def _env(data: Path) -> dict[str, str]:
    """The environment of a `chancery` process on this test's database, with this run's log
    and witness keys (so that it signs as the test process does)."""
    keys.log_signer()
    keys.witness_signer()
    shutil.copy(settings.CHANCERY_LOG_KEY_FILE, data / "log-signing.key")
    shutil.copy(settings.CHANCERY_WITNESS_KEY_FILE, data / "witness-signing.key")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANCERY_")}
    env.update(DATABASE_URL=database_url(), CHANCERY_DATA_DIR=str(data),
               CHANCERY_LOG_LEVEL="CRITICAL")
    return env


def _chancery(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chancery.cli", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def _entry(e: Event) -> str:
    """How verify names an event: its log index, id and kind."""
    return f"entry {e.seq} (event #{e.pk}, {e.kind})"


def _settle() -> int:
    """Worker passes until the queue of changed rows is empty; the alerts they raised. The
    integrity step runs first in a pass, so what the later steps change (a language detected)
    is compared on the next pass."""
    raised = 0
    for _ in range(3):
        raised += worker.run_once().integrity
        if not ChangedRow.objects.exists():
            return raised
    raise AssertionError(f"{ChangedRow.objects.count()} changed rows still queued")


def _alerts(kind: str = integrity.ALERT) -> dict[tuple[str, int], Event]:
    return {
        (e.data["subject"], e.data["id"]): e
        for e in Event.objects.filter(kind=kind).order_by("id")
    }


@pytest.mark.django_db(transaction=True)
def test_rows_changed_with_sql_raise_alerts_that_the_pages_the_log_and_verify_show(
    world: dict[str, Any], people: dict[str, Any], submit: Any, tmp_path: Path
) -> None:
    officer, second, admin = people["officer"], people["officer2"], people["admin"]
    pe: Principal = world["pe"]
    office: Office = world["pm_ca"]
    # The application's own changes: a status change, holds, a delivery, an office on record.
    set_principal_status(pe, by=admin, status=Principal.Status.ASCERTAINED)
    with transaction.atomic():
        record_office_holder(office, by=admin)
    state_edited = submit("One.")
    expiry_edited = submit("Two.")
    extended = services.place_hold(expiry_edited, by=officer, category="legal", reason="Legal.")
    services.confirm_hold(extended, by=second)
    hold_deleted = submit("Three.")
    deleted = services.place_hold(hold_deleted, by=officer, category="security", reason="S.")
    untouched = submit("Four.")
    services.triage(untouched, by=officer, note="Routine.")
    services.deliver(untouched, by=officer)
    assert _settle() == 0
    assert not _alerts(), "the application's own changes raised an alert"

    # Behind the application's back.
    _sql("UPDATE directory_principal SET status = 'inaugurated' WHERE id = %s", pe.pk)
    _sql("UPDATE correspondence_message SET state = 'delivered' WHERE id = %s", state_edited.pk)
    _sql("UPDATE correspondence_hold SET expires_at = %s WHERE id = %s",
         extended.expires_at + dt.timedelta(days=30), extended.pk)
    _sql("DELETE FROM correspondence_hold WHERE id = %s", deleted.pk)
    _sql("UPDATE directory_office SET leader_id = %s WHERE id = %s",
         world["pres_fr"].leader_id, office.pk)
    assert ChangedRow.objects.count() >= 5

    env = _env(tmp_path)
    ran = _chancery(env, "worker", "--once")  # one real worker pass, a process of its own
    assert ran.returncode == 0, ran.stderr
    assert "integrity=5" in ran.stdout, ran.stdout
    alerts = _alerts()
    assert set(alerts) == {
        ("principal", pe.pk), ("message", state_edited.pk), ("message", expiry_edited.pk),
        ("message", hold_deleted.pk), ("office", office.pk),
    }
    for alert in alerts.values():
        assert alert.subject_type == "integrity" and alert.seq is not None  # in the log
        assert alert.data["findings"] and alert.data["findings_count"] == len(
            alert.data["findings"]
        )
        leaf = json.loads(bytes(alert.leaf))
        # The findings' text is private: a salted commitment in the public leaf.
        assert leaf["data"]["findings"].startswith("sha256:")
        assert not any(f in bytes(alert.leaf).decode() for f in alert.data["findings"])
    # Each alert names the changed rows and the events the findings point at.
    assert alerts[("principal", pe.pk)].data["rows"] == [f"directory_principal#{pe.pk}"]
    status_event = Event.objects.get(kind="principal.status", subject_id=pe.pk)
    assert alerts[("principal", pe.pk)].data["events"] == [status_event.pk]
    assert alerts[("principal", pe.pk)].data["entries"] == [status_event.seq]
    assert f"correspondence_hold#{extended.pk}" in alerts[("message", expiry_edited.pk)].data[
        "rows"]
    confirmed = Event.objects.get(kind="hold.confirmed", subject_id=expiry_edited.pk)
    assert confirmed.pk in alerts[("message", expiry_edited.pk)].data["events"]
    assert any("expiry" in f for f in alerts[("message", expiry_edited.pk)].data["findings"])
    assert any(f"hold #{deleted.pk}" in f and "deleted" in f
               for f in alerts[("message", hold_deleted.pk)].data["findings"])
    assert alerts[("office", office.pk)].data["rows"] == [f"directory_office#{office.pk}"]

    # The dashboard names them with their findings; the public page names the rows and
    # entries only.
    dashboard = body_of(client_for(officer).get("/"))
    assert "Integrity alerts: 5 records disagree with the signed log" in dashboard
    assert state_edited.tracking in dashboard
    assert "the row&#x27;s state is delivered" in dashboard
    public = body_of(client_for(None).get("/transparency/"))
    assert "Integrity alerts: 5 records disagree with the signed log" in public
    assert f"message #{state_edited.pk}" in public
    assert f"<code>correspondence_hold#{extended.pk}</code>" in public
    assert "the row&#x27;s state" not in public and state_edited.tracking not in public
    assert {(a.subject, a.id) for a in integrity.open_alerts()} == set(alerts)
    newest = integrity.open_alerts()[0]
    assert newest.as_json()["rows"] == newest.rows and "findings" not in newest.as_json()
    assert newest.as_json(private=True)["findings"] == newest.findings
    assert newest.headline.startswith(f"{newest.subject} #{newest.id} disagrees with the log")

    # chancery verify names each row and the event it disagrees with.
    verified = _chancery(env, "verify")
    assert verified.returncode != 0
    out = verified.stderr
    assert (
        f"principal #{pe.pk}: the row's status is inaugurated, the log's last is ascertained "
        f"({_entry(status_event)})"
    ) in out
    assert f"message #{state_edited.pk}: the row's state is delivered" in out
    assert f"hold #{extended.pk} differs from its events: expiry" in out
    assert f"hold #{deleted.pk} of " in out and "has no row (deleted)" in out
    holder = Event.objects.get(kind="office.holder", subject_id=office.pk)
    assert f"office #{office.pk}: the row's leader differ from {_entry(holder)}" in out

    # chancery status, an operator's monitoring: an open alert fails it, each one named.
    status = _chancery(env, "status")
    assert status.returncode == 1
    assert "integrity  ALERT   5 open alerts" in status.stdout
    assert f"FAILED: Integrity alert: principal #{pe.pk} disagrees with the log" in status.stderr
    assert "the row's state" not in status.stderr  # the findings stay on the dashboard

    # Another pass raises nothing new; putting a row back clears its alert.
    assert worker.run_once().integrity == 0
    _sql("UPDATE correspondence_message SET state = 'received' WHERE id = %s", state_edited.pk)
    assert worker.run_once().integrity == 1
    assert set(_alerts(integrity.CLEARED)) == {("message", state_edited.pk)}
    assert len(integrity.open_alerts()) == 4
    assert "Integrity alerts: 4 records" in body_of(client_for(None).get("/transparency/"))


@pytest.mark.django_db(transaction=True)
def test_the_applications_own_changes_raise_nothing(
    world: dict[str, Any], people: dict[str, Any], submit: Any, gated: Principal
) -> None:
    """Every kind of change the services make, queued by the triggers like any other, agrees
    with its events: no alert, and the queue is drained."""
    officer, second, admin = people["officer"], people["officer2"], people["admin"]
    held = [submit(f"Held {n}.") for n in range(3)]  # the gate holds them
    set_principal_status(gated, by=admin, status=Principal.Status.ASCERTAINED)  # delivers
    message = submit("Félicitations.")
    services.triage(message, by=officer, note="Routine.")
    hold = services.place_hold(message, by=officer, category="security", reason="Screening.")
    services.confirm_hold(hold, by=second)
    services.renew_hold(hold, by=officer)
    services.renew_hold(hold, by=second)
    services.release_hold(hold, by=officer, reason="Cleared.")
    translation = services.request_translation(
        message, by=officer, source_language="fr", target_language="en"
    )
    services.sign_off_translation(translation, by=people["translator"], text="Congratulations.")
    services.deliver(message, by=officer)
    services.acknowledge(message, by=people["staffer"])
    rejected = submit("Rejected.", principal="vice-president-elect")
    services.reject(rejected, by=officer, reason="Not for us.")
    with transaction.atomic():
        record_office_holder(world["pm_ca"], by=admin)
    assert ChangedRow.objects.count() > 20
    assert _settle() == 0
    assert not Event.objects.filter(subject_type="integrity").exists()
    assert all(m.state == "delivered" for m in Message.objects.filter(pk__in=[h.pk for h in held]))
    public = body_of(client_for(None).get("/transparency/"))
    assert 'id="integrity-alerts"' in public and "Integrity:</strong> no alerts" in public
    assert verify_log().ok


@pytest.mark.django_db(transaction=True)
def test_a_batch_is_compared_whole_or_not_at_all(
    world: dict[str, Any], people: dict[str, Any], submit: Any
) -> None:
    """A pass that dies half-way (here: its transaction rolled back) leaves the queue as it was,
    so the next pass alerts; a second pass over the same rows does not alert twice."""
    message = submit("One.")
    _settle()
    _sql("UPDATE correspondence_message SET state = 'acknowledged' WHERE id = %s", message.pk)
    queued = ChangedRow.objects.count()
    assert queued == 1

    class Died(Exception):
        pass

    with pytest.raises(Died), transaction.atomic():
        assert integrity.check_changed_rows() == 1
        raise Died  # the worker process dies before its commit
    assert ChangedRow.objects.count() == queued and not _alerts()
    assert integrity.check_changed_rows() == 1
    assert set(_alerts()) == {("message", message.pk)}
    # The same row changed again, still wrong the same way: no second alert.
    _sql("UPDATE correspondence_message SET state = 'acknowledged' WHERE id = %s", message.pk)
    assert integrity.check_changed_rows() == 0 and len(_alerts()) == 1
    # Raised while the event it names was pending; the same finding once it is in the log is
    # the same alert.
    second = submit("Two.")
    _sql("UPDATE correspondence_message SET state = 'acknowledged' WHERE id = %s", second.pk)
    assert integrity.check_changed_rows() == 1
    assert "pending entry" in _alerts()[("message", second.pk)].data["findings"][0]
    sequencer.integrate_all()
    _sql("UPDATE correspondence_message SET state = 'acknowledged' WHERE id = %s", second.pk)
    assert integrity.check_changed_rows() == 0 and len(_alerts()) == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_both_alert(
    world: dict[str, Any], people: dict[str, Any], submit: Any, tmp_path: Path
) -> None:
    """Two real worker processes started together over the same queue: one alert."""
    message = submit("One.")
    worker.run_once()
    for _ in range(3):
        _sql("UPDATE correspondence_message SET state = 'acknowledged' WHERE id = %s", message.pk)
    env = _env(tmp_path)
    code = (
        "import django, sys, time; django.setup();"
        "from chancery.ledger import integrity;"
        "time.sleep(max(0, float(sys.argv[1]) - time.time()));"
        "print(integrity.check_changed_rows())"
    )
    start = str(time.time() + 2.5)
    env["DJANGO_SETTINGS_MODULE"] = "chancery.settings"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, start], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    assert sorted(int(out) for out, _ in outputs) == [0, 1]
    assert len(_alerts()) == 1 and ChangedRow.objects.count() == 0


@pytest.mark.django_db
def test_a_status_change_that_re_holds_messages_tells_their_senders(
    world: dict[str, Any], people: dict[str, Any], submit: Any, gated: Principal
) -> None:
    admin, liaison = people["admin"], people["liaison_ca"]
    liaison.email = "liaison@embassy.ca.example"
    liaison.save()
    people["liaison_fr"].email = "liaison@embassy.fr.example"
    people["liaison_fr"].save()
    first = submit("Held by the first gate.")
    assert first.holds.get().is_policy
    assert not Notification.objects.exists()  # intake's answer told the sender (first gate)
    set_principal_status(gated, by=admin, status=Principal.Status.ASCERTAINED)
    waiting = submit("Received while the gate was open.")
    assert services.sender_status(waiting) == "received"
    set_principal_status(gated, by=admin, status=Principal.Status.PROJECTED)  # closed again

    hold = Hold.objects.get(message=waiting, released_at__isnull=True)
    assert hold.is_policy
    note = Notification.objects.get(message=waiting)
    assert note.kind == POLICY_HOLD_NOTICE
    assert note.recipients == ["liaison@embassy.ca.example"]  # not the French liaison
    assert waiting.tracking in note.subject
    assert worker.run_once().mailed == 1
    sent = mail.outbox[-1]
    assert sent.to == ["liaison@embassy.ca.example"]
    assert "held by the President-elect's support policy" in sent.body
    assert "'Projected winner'" in sent.body and "'Ascertained'" in sent.body

    page = body_of(client_for(liaison).get(f"/portal/{waiting.tracking}/"))
    assert "Received; delivery is pending the transition." in page
    assert 'id="rehold"' in page and "Held again on" in page
    assert "your mission's liaisons were told by email" in page
    # Without a liaison's address the notice says so (and the portal still shows the hold).
    liaison.email = ""
    liaison.save()
    set_principal_status(gated, by=admin, status=Principal.Status.ASCERTAINED)
    alone = submit("Another, while the gate was open.")
    set_principal_status(gated, by=admin, status=Principal.Status.CANDIDATE)
    unsent = Notification.objects.get(message=alone)
    assert unsent.recipients == []
    assert worker.run_once().mailed == 0
    unsent.refresh_from_db()
    assert unsent.error.startswith("no recipient: no liaison of the sender's mission")
    # The first message, delivered when the gate opened, is not re-held nor told.
    first.refresh_from_db()
    assert first.state == "delivered"
    assert not Notification.objects.filter(message=first).exists()


@pytest.mark.django_db
def test_an_office_holder_changed_in_the_admin_is_on_record_and_raises_nothing(
    world: dict[str, Any], people: dict[str, Any]
) -> None:
    """The admin (office page, and the leader page's inline offices) records office.holder;
    the worker's comparison then finds the row and the log agree. Offices are not deleted."""
    client = client_for(people["admin"])
    office: Office = world["pm_ca"]
    macron = world["pres_fr"].leader
    response = client.post(f"/admin/directory/office/{office.pk}/change/", {
        "leader": macron.pk, "country": office.country_id, "organisation": "",
        "kind": office.kind, "title": office.title, "form_of_address": "",
        "took_office": "2020-11-01", "left_office": "",
    })
    assert response.status_code == 302, body_of(response)
    holder = Event.objects.get(kind="office.holder", subject_id=office.pk)
    assert holder.data == {
        "office": office.pk, "leader": macron.pk, "took_office": "2020-11-01", "left_office": None,
    }
    assert holder.actor == people["admin"]
    # A save that leaves the holder as it was records nothing more.
    client.post(f"/admin/directory/office/{office.pk}/change/", {
        "leader": macron.pk, "country": office.country_id, "organisation": "",
        "kind": office.kind, "title": "Prime Minister", "form_of_address": "",
        "took_office": "2020-11-01", "left_office": "",
    })
    assert Event.objects.filter(kind="office.holder").count() == 1
    # An office added on the leader's page is on record too.
    response = client.post(f"/admin/directory/leader/{macron.pk}/change/", {
        "name": macron.name, "native_name": "", "languages": json.dumps(macron.languages),
        "time_zone": macron.time_zone,
        "offices-TOTAL_FORMS": "1", "offices-INITIAL_FORMS": "0",
        "offices-MIN_NUM_FORMS": "0", "offices-MAX_NUM_FORMS": "1000",
        "offices-0-kind": "other", "offices-0-title": "Co-Prince of Andorra",
        "offices-0-form_of_address": "", "offices-0-country": world["fr"].pk,
        "offices-0-organisation": "", "offices-0-took_office": "2017-05-14",
        "offices-0-left_office": "",
    })
    assert response.status_code == 302, body_of(response)
    added = Office.objects.get(title="Co-Prince of Andorra")
    assert Event.objects.get(kind="office.holder", subject_id=added.pk).data["leader"] == macron.pk
    assert worker.run_once().integrity == 0
    assert client.post(f"/admin/directory/office/{office.pk}/delete/").status_code == 403
    assert verify_log().ok


@pytest.mark.django_db
def test_a_support_policy_changed_in_the_admin_is_on_record_and_one_changed_with_sql_alerts(
    world: dict[str, Any], people: dict[str, Any], submit: Any
) -> None:
    """The admin's change of a principal's support policy is a principal.policy event (the
    gate it gives is on the log): no alert. The same change made with SQL is one."""
    admin = people["admin"]
    pe: Principal = world["pe"]
    set_principal_status(pe, by=admin, status=Principal.Status.ASCERTAINED)
    client = client_for(admin)
    form = {
        "slug": "renamed", "name": pe.name, "title": pe.title, "time_zone": pe.time_zone,
        "delivery_requires": "inaugurated", "office_email": pe.office_email,
        "status_changes-TOTAL_FORMS": "1", "status_changes-INITIAL_FORMS": "1",
        "status_changes-MIN_NUM_FORMS": "0", "status_changes-MAX_NUM_FORMS": "1000",
        "status_changes-0-id": pe.status_changes.get().pk,
        "status_changes-0-principal": pe.pk,
    }
    response = client.post(f"/admin/directory/principal/{pe.pk}/change/", form)
    assert response.status_code == 302, body_of(response)
    pe.refresh_from_db()
    assert pe.delivery_requires == "inaugurated" and pe.gate_active
    assert pe.slug == "president-elect"  # fixed once created: every event names it
    policy = Event.objects.get(kind="principal.policy", subject_id=pe.pk)
    assert policy.data == {
        "principal": "president-elect", "delivery_requires": "inaugurated", "gate_open": False,
    }
    assert worker.run_once().integrity == 0
    assert verify_log().ok
    _sql("UPDATE directory_principal SET delivery_requires = '' WHERE id = %s", pe.pk)
    assert worker.run_once().integrity == 1
    alert = _alerts()[("principal", pe.pk)]
    assert alert.data["events"] == [policy.pk]
    assert any("support policy differs" in f for f in alert.data["findings"])


@pytest.mark.django_db
def test_a_status_set_with_sql_moves_no_message(
    world: dict[str, Any], people: dict[str, Any], submit: Any
) -> None:
    """The worker compares before it acts: a gated principal's status set to 'ascertained'
    with SQL raises an alert in the same pass and the policy-gate step leaves its held
    messages held (and, the other way, a status set back with SQL re-holds nothing)."""
    gated = world["pe"]
    with transaction.atomic():
        record_principal_created(gated, by=None)  # as the admin's page records a new one
    set_policy(gated, Principal.Status.ASCERTAINED)
    held = submit("Held by the gate.")
    assert held.holds.get().is_policy
    _sql("UPDATE directory_principal SET status = %s WHERE id = %s", "ascertained", gated.pk)

    result = worker.run_once()
    assert result.integrity == 1 and result.gated == 0
    assert ("principal", gated.pk) in _alerts()
    held.refresh_from_db()
    assert held.state != "delivered"
    assert Hold.objects.filter(message=held, is_policy=True, released_at__isnull=True).exists()
    assert worker.run_once().gated == 0  # nor on the next pass, while the alert is open
    # The pages show the alert, not "overdue action" for the messages the gate rightly keeps.
    with clock.travel(dt.timedelta(minutes=10)):
        assert not services.overdue_action_everywhere()

    # Put back, the alert clears and the gate keeps the message held, as the log says.
    _sql("UPDATE directory_principal SET status = %s WHERE id = %s", "projected", gated.pk)
    worker.run_once()
    assert ("principal", gated.pk) in _alerts(integrity.CLEARED)
    assert not integrity.disputed("principal").exists()
    held.refresh_from_db()
    assert held.state != "delivered"
