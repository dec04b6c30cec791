"""The event kinds of calls: what each carries in clear and what only as a commitment.

Registered from ``CallsConfig.ready()``; ``chancery.ledger.kinds`` explains the rules. Every
event of a call request carries its ``call`` tracking number and ``principal`` slug. Free text
(the purpose, notes, reasons, talking points) is private: the public log holds a salted
commitment to it, never the words. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

from chancery.ledger.kinds import declare

CALL = ("call", "principal")

LABELS = {
    "call.requested": "Requested",
    "call.gate_released": "Released by the support policy",
    "call.gated": "Held by the support policy",
    "call.triaged": "Triaged",
    "call.approved": "Approved",
    "call.deferred": "Deferred",
    "call.declined": "Declined",
    "call.scheduled": "Scheduled",
    "call.rescheduled": "Rescheduled",
    "call.unscheduled": "Taken off the calendar",
    "call.interpreter": "Interpreter reassigned",
    "call.talking_points": "Talking points drafted",
    "call.package_cleared": "Package cleared",
    "call.attempt": "Contact attempt",
    "call.connected": "Connected",
    "call.completed": "Completed",
    "call.failed": "Failed to connect",
}
"""How the pages' histories name each event of a call."""


def register() -> None:
    def call(name: str, description: str, *public: str, private: tuple[str, ...] = ()) -> None:
        declare(
            name, subject="call", public=(*CALL, *public), private=private,
            description=description, declared_in=__name__, label=LABELS[name],
        )

    call("call.requested",
         "A call was requested: the leader's office, channel, window, language, and whether it "
         "waits for the support policy.",
         "office", "channel", "received_at", "language", "brings_interpreter", "duration",
         "time_zone", "earliest", "latest", "local_start", "local_end", "waits_for",
         private=("purpose",))
    call("call.gate_released",
         "The principal's support policy no longer holds the request: it enters the queue.",
         "status")
    call("call.gated",
         "The principal's support policy holds the request again (recorded and counted).",
         "waits_for")
    call("call.triaged", "A protocol officer ranked the request (tier and position).",
         "tier", "rank", private=("note",))
    call("call.approved", "The request was approved for scheduling.")
    call("call.deferred", "The request was deferred (back to the queue later).",
         private=("reason",))
    call("call.declined", "The request was declined; the liaison sees the reason.",
         private=("reason",))
    call("call.scheduled", "The call was placed at a time, with an interpreter or none.",
         "start", "end", "interpreter", "sequence", "run", "fixed")
    call("call.rescheduled", "The call moved (by an officer or a re-solve): an update is sent.",
         "start", "end", "previous_start", "interpreter", "sequence", "run", "fixed")
    call("call.unscheduled",
         "The call lost its time (a re-solve could not keep it, or it was deferred): a CANCEL "
         "is sent.",
         "previous_start", "sequence", "run", private=("reason",))
    call("call.interpreter",
         "An officer reassigned the call's interpreter (the call is fixed: a re-solve keeps it).",
         "interpreter", "previous", "fixed")
    call("call.talking_points", "Staff drafted the call's talking points.",
         private=("text",))
    call("call.package_cleared",
         "The principal's office approved the call package (talking points committed).",
         private=("text",))
    call("call.attempt", "An attempt to reach the other side, and its outcome.",
         "outcome", "attempt", private=("note",))
    call("call.connected", "The call connected.", "at")
    call("call.completed", "The call ended.", "at", "minutes")
    call("call.failed", "The call could not be connected.", private=("reason",))

    declare("calls.settings", subject="call_settings",
            public=("principal", "policy", "day_start", "day_end", "daily_cap",
                    "buffer_minutes", "note_takers"),
            private=("dial_in",),
            description="A principal's call settings (precedence policy, hours, caps) changed.",
            declared_in=__name__)
    declare("interpreter.enrolled", subject="interpreter",
            public=("interpreter", "languages", "time_zone", "day_start", "day_end",
                    "daily_cap", "active"),
            private=("name",),
            description="An interpreter joined the roster or their languages or hours changed.",
            declared_in=__name__)
    declare("schedule.solved", subject="schedule_run",
            public=("run", "principal", "solver", "status", "placed", "unplaced", "requests",
                    "lateness", "inversions", "placed_bound", "seconds"),
            description="A solve for a principal finished (what it placed and proved).",
            declared_in=__name__)
    declare("calls.blocked", subject="blocked_time", public=("principal", "start", "end"),
            private=("label",),
            description="An officer blocked a period of the principal's time: no call is placed "
                        "in it (a re-solve moves the calls inside).",
            declared_in=__name__, label="Time blocked")
    declare("calls.unblocked", subject="blocked_time", public=("principal", "start", "end"),
            private=("label",),
            description="An officer unblocked a period of the principal's time (the row is "
                        "deleted).",
            declared_in=__name__, label="Time unblocked")
