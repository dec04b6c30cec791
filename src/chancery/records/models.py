"""The government record of calls and correspondence: telcons (memcons), read-outs, replies, and
the search index over them and the messages.

Every change of a telcon, read-out or reply is an event in the transparency log
(``records/events.py``), with the text as a salted commitment; the rows below are what the
events describe and ``chancery verify`` checks them against the log (``records/checks*.py``).
Versions are never edited: a change is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chancery.tracking import Tracking

TELCON = Tracking("TELCON", "a telcon's", "created_at", "telcon")
READOUT = Tracking("READOUT", "a read-out's", "created_at", "read-out")
REPLY = Tracking("REPLY", "a reply's", "created_at", "reply")


class Level(models.TextChoices):
    """Classification levels (E.O. 13526 §1.2), lowest first; a portion marking is the code in
    parentheses at the start of a paragraph: (U), (C), (S), (TS)."""

    UNCLASSIFIED = "U", "Unclassified"
    CONFIDENTIAL = "C", "Confidential"
    SECRET = "S", "Secret"
    TOP_SECRET = "TS", "Top Secret"


LEVEL_ORDER = ["U", "C", "S", "TS"]


class Reason(models.TextChoices):
    """The classification categories of E.O. 13526 §1.4 (a reason cites one or more)."""

    A = "a", "1.4(a) military plans, weapons systems, or operations"
    B = "b", "1.4(b) foreign government information"
    C = "c", "1.4(c) intelligence activities, sources or methods, or cryptology"
    D = "d", "1.4(d) foreign relations or foreign activities of the United States"
    E = "e", "1.4(e) scientific, technological, or economic matters relating to national security"
    F = "f", "1.4(f) United States Government programs for safeguarding nuclear materials"
    G = "g", "1.4(g) vulnerabilities or capabilities of systems, installations, infrastructures, projects, plans, or protection services"  # noqa: E501
    H = "h", "1.4(h) the development, production, or use of weapons of mass destruction"


class Regime(models.TextChoices):
    FEDERAL = "federal", "Federal record (Federal Records Act)"
    PRESIDENTIAL = "presidential", "Presidential record (Presidential Records Act)"


class Telcon(models.Model):
    """The record of one call: a telcon (telephone conversation) or a memcon (meeting).

    Its content lives in versions (:class:`TelconVersion`, never edited); the telcon holds the
    workflow: draft -> reviewed (every named reviewer reviewed the current version) -> approved
    -> distributed. A new version puts it back to draft. Who may read it: the records officers,
    its drafter, its named reviewers and its distribution list (:class:`TelconRecipient`)."""

    class Kind(models.TextChoices):
        TELCON = "telcon", "Telcon (telephone conversation)"
        MEMCON = "memcon", "Memcon (memorandum of conversation)"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEWED = "reviewed", "Reviewed"
        APPROVED = "approved", "Approved"
        DISTRIBUTED = "distributed", "Distributed"

    call = models.OneToOneField(
        "calls.CallRequest", on_delete=models.PROTECT, related_name="telcon"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TELCON)
    regime = models.CharField(max_length=16, choices=Regime.choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1, help_text="The current version's number")
    reviewers = models.JSONField(
        default=list, help_text="User ids of the named reviewers (all must review a version)"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    distributed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.tracking

    @property
    def tracking(self) -> str:
        return TELCON.of(self)


class TelconVersion(models.Model):
    """One version of a telcon's whole content: header, classification block, body. Never
    edited. The log's ``telcon.drafted`` / ``telcon.revised`` event commits to its canonical
    JSON (``content``)."""

    telcon = models.ForeignKey(Telcon, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    change_note = models.TextField(blank=True, help_text="What this version changed")
    # Header
    start = models.DateTimeField()
    end = models.DateTimeField()
    time_zone = models.CharField(max_length=64, help_text="The zone the header states times in")
    location = models.CharField(max_length=300, help_text="The line (telephone) or the place")
    participants = models.JSONField(default=list, help_text="Names and titles, one per entry")
    interpreter = models.CharField(max_length=200, blank=True)
    note_takers = models.JSONField(default=list, help_text="At least two names")
    # Classification block
    classification = models.CharField(max_length=2, choices=Level.choices)
    classified_by = models.CharField(max_length=200, blank=True)
    reasons = models.JSONField(default=list, help_text="E.O. 13526 §1.4 letters, e.g. ['b', 'd']")
    declassify_on = models.DateField(null=True, blank=True)
    body = models.TextField(help_text="Paragraphs, each opening with its portion marking")

    class Meta:
        ordering = ["telcon_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["telcon", "number"], name="records_telcon_version"),
        ]

    def __str__(self) -> str:
        return f"{self.telcon_id} v{self.number}"


class TelconReview(models.Model):
    """A named reviewer reviewed one version."""

    telcon = models.ForeignKey(Telcon, on_delete=models.PROTECT, related_name="reviews")
    version = models.PositiveIntegerField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["telcon_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["telcon", "version", "reviewer"], name="records_telcon_review_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.telcon_id} v{self.version} reviewed by {self.reviewer_id}"


class TelconRecipient(models.Model):
    """One person on a telcon's distribution list (who may read it once distributed)."""

    telcon = models.ForeignKey(Telcon, on_delete=models.PROTECT, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["telcon_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["telcon", "user"], name="records_telcon_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.telcon_id} to {self.user_id}"


class Readout(models.Model):
    """The public read-out of a call. Its texts live in versions (:class:`ReadoutVersion`);
    one is published at a time (``published_version``), and a correction is a new version with
    a visible note. Published only after the call ended, after the principal's office cleared
    the version, and not before ``embargo_until`` (the counterpart's embargo)."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        CLEARED = "cleared", "Cleared"
        PUBLISHED = "published", "Published"

    call = models.OneToOneField(
        "calls.CallRequest", on_delete=models.PROTECT, related_name="readout"
    )
    slug = models.SlugField(max_length=120, unique=True, help_text="The public address")
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1, help_text="The latest version's number")
    published_version = models.PositiveIntegerField(null=True, blank=True)
    first_published_at = models.DateTimeField(null=True, blank=True)
    embargo_until = models.DateTimeField(null=True, blank=True)
    embargo_note = models.CharField(max_length=300, blank=True)
    counterpart_url = models.URLField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.tracking

    @property
    def tracking(self) -> str:
        return READOUT.of(self)


class ReadoutVersion(models.Model):
    """One version of a read-out. Never edited; cleared and published once each.
    ``correction_note`` is required for a version drafted after one was published, and shown
    with it. ``digest``: SHA-256 of the published text's canonical JSON (public: anyone can hash
    the published page's JSON and find it in the log's ``readout.published`` event)."""

    readout = models.ForeignKey(Readout, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField()
    correction_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["readout_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["readout", "number"], name="records_readout_version"),
        ]

    def __str__(self) -> str:
        return f"{self.readout_id} v{self.number}"


class Reply(models.Model):
    """The principal's office's reply (or acknowledgement) to a message: drafted, cleared by the
    principal's office, sent through the liaison portal, where the sender reads it with its
    receipt (the ``reply.sent`` event commits to the text as sent)."""

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply"
        ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        CLEARED = "cleared", "Cleared"
        SENT = "sent", "Sent"

    message = models.ForeignKey(
        "correspondence.Message", on_delete=models.PROTECT, related_name="replies"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.REPLY)
    state = models.CharField(max_length=8, choices=State.choices, default=State.DRAFT)
    language = models.CharField(max_length=8, default="en")
    body = models.TextField()
    version = models.PositiveIntegerField(default=1, help_text="Raised by every redraft")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.tracking

    @property
    def tracking(self) -> str:
        return REPLY.of(self)


class SearchDoc(models.Model):
    """One searchable text: a message's original, a translation, a telcon's current version, a
    read-out's latest version, a reply. Derived from the rows (``records/search``), rebuilt at
    will; not part of the record. ``terms`` is ``text`` normalised for the full-text index
    (case and diacritics folded, CJK runs split into overlapping bigrams); the vendor's index
    (FTS5 on SQLite, a GIN tsvector on PostgreSQL) is over ``terms``."""

    class Type(models.TextChoices):
        MESSAGE = "message", "Message"
        TRANSLATION = "translation", "Translation"
        TELCON = "telcon", "Telcon"
        READOUT = "readout", "Read-out"
        REPLY = "reply", "Reply"

    doc_type = models.CharField(max_length=12, choices=Type.choices)
    subject_id = models.BigIntegerField(help_text="The row's id in its own table")
    principal_id = models.BigIntegerField(null=True, blank=True)
    country = models.CharField(
        max_length=16, blank=True, help_text="ISO 3166 alpha-2, or the organisation's slug"
    )
    date = models.DateTimeField()
    state = models.CharField(max_length=24, blank=True)
    language = models.CharField(max_length=8, blank=True)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    terms = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "subject_id"], name="records_doc_subject"),
        ]
        indexes = [
            models.Index(fields=["date"], name="records_doc_date"),
            models.Index(fields=["principal_id", "date"], name="records_doc_principal"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.subject_id}"


class SearchCursor(models.Model):
    """How far the indexer has read the log (one row): the last log index (``Event.seq``) it
    indexed. It follows the log's order, not event ids: ids are taken when a transaction
    inserts, so a transaction that commits late can leave a lower id behind a higher one
    already read, while the sequencer gives log indexes only to committed events, in order,
    without gaps."""

    last_seq = models.BigIntegerField(default=-1)

    def __str__(self) -> str:
        return f"indexed to log index {self.last_seq}"
