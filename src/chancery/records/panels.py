"""The records panel on a call's staff page (``chancery.pages.register_panel("call", ...)``):
the call's telcon and read-out with where they stand, or the links to draft them for whoever
may. Calls may not import records; this is how its page shows them."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from chancery.calls.models import CallRequest
from chancery.records.access_readouts import visible_readouts
from chancery.records.access_telcons import visible_telcons
from chancery.records.services import readouts, telcons


def call_panel(request: HttpRequest, call: CallRequest) -> str:
    user = request.user
    telcon = visible_telcons(user).filter(call=call).first()
    readout = visible_readouts(user).filter(call=call).first()
    may_telcon = telcon is None and telcons.may_draft(call, user).allowed
    may_readout = readout is None and readouts.may_act(user, call)
    if not (telcon or readout or may_telcon or may_readout):
        return ""
    return render_to_string("records/call_panel.html", {
        "call": call, "telcon": telcon, "readout": readout,
        "may_telcon": may_telcon, "may_readout": may_readout,
    }, request=request)


def register() -> None:
    from chancery.pages import register_panel

    register_panel("call", call_panel)
