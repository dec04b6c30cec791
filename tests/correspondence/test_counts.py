"""Each count defined once (services.counts): a constructed set of messages, counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils.html import escape

from chancery import clock
from chancery.correspondence import services
from chancery.correspondence.models import Message
from chancery.directory.models import Principal

pytestmark = pytest.mark.django_db


def test_counts_on_a_constructed_set(
    people: dict[str, User], submit: Any, gated: Principal
) -> None:
    officer, officer2 = people["officer"], people["officer2"]
    vp = "vice-president-elect"
    # President-elect (gated): two messages held by the policy.
    policy_a, policy_b = submit("A"), submit("B")
    # Vice president-elect: one held (unconfirmed), one held (confirmed), one left alone, one
    # delivered on time, one rejected.
    unconfirmed = submit("C", principal=vp)
    services.place_hold(unconfirmed, by=officer, category="legal", reason="Check")
    confirmed = submit("D", principal=vp)
    hold = services.place_hold(confirmed, by=officer, category="legal", reason="Check")
    services.confirm_hold(hold, by=officer2)
    alone = submit("E", principal=vp)
    on_time = submit("F", principal=vp)
    services.deliver(on_time, by=officer)
    rejected = submit("G", principal=vp)
    services.reject(rejected, by=officer, reason="Twice")

    everything = Message.objects.all()
    counts = services.count_messages(everything)
    assert counts["total"] == 7 and counts["open"] == 5
    assert counts["held"] == 4
    assert (counts["held_policy"], counts["held_officer"]) == (2, 2)
    assert counts["awaiting_second_officer"] == 1
    assert counts["past_target"] == counts["overdue"] == counts["escalated"] == 0
    assert (counts["delivered_any"], counts["rejected"], counts["late"]) == (1, 1, 0)

    # Five hours on (the target is four): everything open is past its target; only the
    # message no hold accounts for is overdue, and it is what escalation picks.
    with clock.travel(dt.timedelta(hours=5)):
        counts = services.count_messages(everything)
        assert counts["past_target"] == 5
        assert counts["overdue"] == 1 and counts["late"] == 5
        assert [m.pk for m in services.overdue_messages()] == [alone.pk]
        assert [m.pk for m in services.escalate_overdue()] == [alone.pk]
        counts = services.count_messages(everything)
        assert counts["escalated"] == counts["overdue"] == 1
        html = _page(people["officer"], "/")
        assert "escalated" in html and escape(services.COUNT_DEFINITIONS["overdue"]) in html
        # Ascertainment delivers the policy-held messages (late); the officers' holds stay.
        services.set_principal_status(gated, by=people["admin"], status="ascertained")
        counts = services.count_messages(everything)
        assert counts["held"] == 2 and counts["held_policy"] == 0
        assert counts["past_target"] == 3 and counts["overdue"] == 1
        assert counts["delivered_any"] == 3 and counts["late"] == 5
        assert counts["ever_held_policy"] == 2 and counts["ever_held_officer"] == 2

    per = services.count_messages(everything, by="principal_id")
    assert per[gated.pk]["total"] == 2 and per[gated.pk]["delivered_any"] == 2
    assert {m.pk for m in services.filter_messages(everything, "held")} == {
        confirmed.pk, unconfirmed.pk,
    }
    assert {policy_a.pk, policy_b.pk} <= {
        m.pk for m in services.filter_messages(everything, "delivered_any")
    }


def _page(user: User, url: str) -> str:
    c = Client()
    c.force_login(user)
    return c.get(url).content.decode()


def test_the_pages_count_the_same(people: dict[str, User], submit: Any, gated: Principal) -> None:
    """The dashboard, the inbox tabs and the public page show the same numbers for the same thing; a
    policy-held message past its target is not called overdue, and each count says what it
    means."""
    submit("One")
    submit("Two")
    with clock.travel(dt.timedelta(hours=5)):
        services.escalate_overdue()
        dashboard = _page(people["officer"], "/")
        stat = dashboard.split('title="' + escape(services.COUNT_DEFINITIONS["overdue"]) + '"')[1]
        assert '<span class="n">0</span>' in stat.split("</div>")[0]  # overdue, no hold
        assert "policy" in dashboard
        inbox = _page(people["staffer"], "/principals/president-elect/inbox/")
        assert escape(services.COUNT_DEFINITIONS["held"]) in inbox
        tabs = inbox.split('class="tabs"')[1].split("</ul>")[0]
        held_tab = tabs.split("?show=held")[1].split("</a>")[0]
        assert '<span class="count">2</span>' in held_tab
        public = Client().get("/transparency/").content.decode()
        assert escape(services.COUNT_DEFINITIONS["late"]) in public
