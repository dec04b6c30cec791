"""The event kinds of records: telcons, read-outs and replies.

Registered from ``RecordsConfig.ready()``; ``chancery.ledger.kinds`` explains the rules. Every
event of a telcon or read-out carries its ``call`` tracking number and ``principal`` slug; every
event of a reply its ``message`` tracking number and ``principal`` slug. Texts, names and notes
are private: the log holds a salted commitment, never the words. A published read-out is public
text: ``readout.published`` carries the SHA-256 ``digest`` of the published JSON in clear, so
anyone can check which text was published when.
"""

from __future__ import annotations

from chancery.ledger.kinds import declare

CALL = ("call", "principal")
MESSAGE = ("message", "principal")

TELCON_LABELS = {
    "telcon.drafted": "Drafted",
    "telcon.revised": "Revised (new version)",
    "telcon.reviewers": "Reviewers named",
    "telcon.reviewed": "Reviewed",
    "telcon.approved": "Approved",
    "telcon.distributed": "Distributed",
    "telcon.distribution": "Distribution list changed",
}
READOUT_LABELS = {
    "readout.drafted": "Drafted",
    "readout.cleared": "Cleared",
    "readout.embargo": "Embargo set",
    "readout.linked": "Linked to the counterpart's read-out",
    "readout.published": "Published",
}
REPLY_LABELS = {
    "reply.drafted": "Drafted",
    "reply.cleared": "Cleared",
    "reply.sent": "Sent",
}


def register() -> None:
    def telcon(name: str, description: str, *public: str, private: tuple[str, ...] = ()) -> None:
        declare(name, subject="telcon", public=(*CALL, *public), private=private,
                description=description, declared_in=__name__, label=TELCON_LABELS[name])

    def readout(name: str, description: str, *public: str, private: tuple[str, ...] = ()) -> None:
        declare(name, subject="readout", public=(*CALL, *public), private=private,
                description=description, declared_in=__name__, label=READOUT_LABELS[name])

    def reply(name: str, description: str, *public: str, private: tuple[str, ...] = ()) -> None:
        declare(name, subject="reply", public=(*MESSAGE, *public), private=private,
                description=description, declared_in=__name__, label=REPLY_LABELS[name])

    # ``content``: the version's canonical JSON (header, classification block, body), whose
    # commitment is the version row's; the level and regime are public metadata of a record.
    telcon("telcon.drafted",
           "The first version of a call's telcon or memcon was drafted.",
           "version", "kind", "regime", "classification", "declassify_on", "reasons",
           private=("content",))
    telcon("telcon.revised",
           "A new version of the telcon was drafted (it goes back to draft for review).",
           "version", "classification", "declassify_on", "reasons",
           private=("content", "note"))
    telcon("telcon.reviewers", "The reviewers a version needs were named.",
           "count", private=("reviewers",))
    telcon("telcon.reviewed", "A named reviewer reviewed the current version.",
           "version", private=("note",))
    telcon("telcon.approved", "The records officer approved the reviewed version.", "version")
    telcon("telcon.distributed", "The approved telcon was distributed to its list.",
           "version", "count", private=("recipients",))
    telcon("telcon.distribution", "The telcon's distribution list changed.",
           "count", private=("recipients",))

    # ``content``: the version's title, body and correction note as canonical JSON.
    readout("readout.drafted",
            "A version of a call's read-out was drafted (after publication: a correction).",
            "version", "slug", "correction", private=("content",))
    readout("readout.cleared", "The principal's office cleared a version for publication.",
            "version")
    readout("readout.embargo",
            "The counterpart's embargo: the read-out is not published before this time.",
            "until", private=("note",))
    readout("readout.linked", "The read-out links to the counterpart's own read-out.", "url")
    readout("readout.published",
            "A cleared version was published (digest: SHA-256 of the published JSON).",
            "version", "digest", "slug", "correction")

    reply("reply.drafted", "A reply or acknowledgement to a message was drafted or redrafted.",
          "kind", "language", "version", private=("text",))
    reply("reply.cleared", "The principal's office cleared the reply for sending.", "version")
    reply("reply.sent", "The reply was sent to the liaison portal (text committed).",
          "version", private=("text",))
