"""Messages to a principal, their attachments, translations, holds and the content-read audit.

Nothing here is ever deleted: a rejection, a release or a redaction is a state change with an
event. The original text is kept exactly as received (``body`` is never rewritten).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chancery.tracking import Tracking

MESSAGE = Tracking("CH", "a", "received_at", "message")
"""A message's tracking number, CH-2020-000123."""


class Channel(models.TextChoices):
    PORTAL = "portal", "Liaison portal"
    API = "api", "API"
    DIPLOMATIC_NOTE = "diplomatic_note", "Diplomatic note"
    LETTER = "letter", "Letter"
    TELEGRAM = "telegram", "Telegram"


class State(models.TextChoices):
    RECEIVED = "received", "Received"
    TRIAGED = "triaged", "Triaged"
    TRANSLATION_REQUESTED = "translation_requested", "Translation requested"
    TRANSLATED = "translated", "Translated"
    DELIVERED = "delivered", "Delivered"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    REJECTED = "rejected", "Rejected"


PRE_DELIVERY = [State.RECEIVED, State.TRIAGED, State.TRANSLATION_REQUESTED, State.TRANSLATED]


class Message(models.Model):
    principal = models.ForeignKey(
        "directory.Principal", on_delete=models.PROTECT, related_name="messages"
    )
    sender_office = models.ForeignKey(
        "directory.Office", on_delete=models.PROTECT, related_name="messages"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="The original text exactly as received")
    declared_language = models.CharField(max_length=8, blank=True)
    detected_language = models.CharField(max_length=8, blank=True)
    language_checked_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(db_index=True)
    due_at = models.DateTimeField(help_text="Delivery target")
    state = models.CharField(max_length=24, choices=State.choices, default=State.RECEIVED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="submitted_messages",
    )
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    salt = models.CharField(max_length=64, help_text="Hex salt of the content commitment")
    body_sha256 = models.CharField(max_length=64)
    commitment = models.CharField(max_length=64, help_text="SHA-256(salt || body), hex")
    rejection_reason = models.TextField(blank=True)
    triage_note = models.TextField(blank=True, help_text="The officer's note at triage (internal)")
    escalated_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="message_idempotency_per_submitter",
            ),
        ]
        indexes = [models.Index(fields=["principal", "state"])]

    def __str__(self) -> str:
        return self.tracking

    @property
    def tracking(self) -> str:
        return MESSAGE.of(self)

    @property
    def language(self) -> str:
        return self.declared_language or self.detected_language

    @property
    def is_open(self) -> bool:
        return self.state in PRE_DELIVERY


class Blob(models.Model):
    """Attachment bytes, content-addressed by SHA-256 and stored once."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.content_type}, {self.size:,} bytes)"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT)
    filename = models.CharField(max_length=255)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class Translation(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        SIGNED_OFF = "signed_off", "Signed off"
        CANCELLED = "cancelled", "Cancelled (message rejected)"

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="translations")
    source_language = models.CharField(max_length=8)
    target_language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.source_language}→{self.target_language} of message {self.message_id}"


class Hold(models.Model):
    """A visible, reasoned, expiring hold on a message's delivery."""

    class Category(models.TextChoices):
        SECURITY = "security", "Security screening"
        AUTHENTICITY = "authenticity", "Authenticity verification"
        LEGAL = "legal", "Legal review"
        PROTOCOL = "protocol", "Protocol review"
        TRANSITION_POLICY = "transition_policy", "Transition support policy"
        OTHER = "other", "Other"

    OFFICER_CATEGORIES = [c for c in Category.values if c != "transition_policy"]

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="holds")
    is_policy = models.BooleanField(default=False)
    category = models.CharField(max_length=20, choices=Category.choices)
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty only for policy holds"
    )
    renewal_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    renewal_requested_at = models.DateTimeField(null=True, blank=True)
    renewals = models.PositiveIntegerField(default=0)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["placed_at", "id"]
        constraints = [
            # At most one officer's hold and one policy hold at a time. They can coexist: an
            # officer may screen a message while the policy gate also holds it, and opening
            # the gate then does not deliver it past the officer's hold.
            models.UniqueConstraint(
                fields=["message", "is_policy"], condition=models.Q(released_at__isnull=True),
                name="one_active_hold_of_each_kind_per_message",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} hold on message {self.message_id} ({self.status})"

    @property
    def active(self) -> bool:
        return self.released_at is None

    @property
    def status(self) -> str:
        if self.released_at:
            return "released"
        if self.is_policy:
            return "policy"
        return "confirmed" if self.confirmed_at else "awaiting confirmation"


class Notification(models.Model):
    """An email the system sent (escalations), kept so nobody can claim it was never sent."""

    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=32)
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last took it to send (claims go stale)"
    )
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="The last failure; empty once sent")

    def __str__(self) -> str:
        return self.subject
