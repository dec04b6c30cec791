"""The event kinds of correspondence: what each carries in clear and what only as a commitment.

Registered from ``CorrespondenceConfig.ready()``; ``chancery.ledger.kinds`` explains the rules.
Every kind of a message also carries the message's ``tracking`` number and ``principal`` slug
(``services.common._message_event``). Hold events are events of the held message and name the
hold by its id.
"""

from __future__ import annotations

from chancery.ledger.kinds import declare

MESSAGE = ("tracking", "principal")


def register() -> None:
    def message(name: str, description: str, *public: str, private: tuple[str, ...] = ()) -> None:
        declare(
            name, subject="message", public=(*MESSAGE, *public), private=private,
            description=description, declared_in=__name__,
        )

    message(
        "message.received",
        "A message arrived: its salted content commitment, sender, channel and delivery target.",
        "sender", "office", "channel", "commitment", "attachments", "due", "received_at",
    )
    message("message.triaged", "An officer triaged the message (with or without a note).",
            "noted")
    message("message.delivered", "The message reached the principal's office, and why then.",
            private=("reason",))
    message("message.acknowledged", "The principal's office acknowledged the message.")
    message("message.rejected", "An officer refused the message, with a reason.",
            private=("reason",))
    message("message.escalated", "The message passed its delivery target unheld (once).",
            "overdue_seconds")
    message("translation.requested", "An officer asked for a translation.",
            "translation", "source", "target")
    message("translation.signed_off",
            "A translator signed off a translation (salted commitment to its text).",
            "translation", "target", "commitment")
    message("hold.placed", "An officer held the message, until it lapses unless confirmed.",
            "hold", "category", "expires", private=("reason",))
    message("hold.policy", "The principal's transition policy held the message.",
            "hold", "waits_for")
    message("hold.confirmed", "A second officer confirmed a hold, until its maximum.",
            "hold", "expires")
    message("hold.renewal_requested", "An officer asked to renew a hold (a second must agree).",
            "hold")
    message("hold.renewed", "A second officer renewed a hold.",
            "hold", "expires", private=("first_officer",))
    message("hold.released", "A hold ended (by an officer, its expiry or the policy gate).",
            "hold", private=("reason",))
