"""The periodic steps of calls, run by ``chancery worker`` (``chancery/worker.py``)."""

from __future__ import annotations

from chancery.worker import register_step


def register() -> None:
    from chancery.calls.services import gate, invitations, scheduling

    # After the integrity step (a disputed principal moves nothing) and beside correspondence's
    # gate (100): requests the support policy no longer holds enter the queue, then queued
    # solves run, then invitations go out.
    register_step("calls_gated", gate.sync_call_gates, order=105)
    register_step("solved", scheduling.run_pending, order=140)
    register_step("invited", invitations.send_pending, order=150)
