"""Calls: requests from foreign leaders, the principal's call settings, interpreters, the solver's
runs, contact attempts and calendar feeds.

Every change of a row here is made by a service in ``calls/services/`` in the same transaction
as its event (``calls/events.py`` declares what each event carries and what of it is private).
Times are stored in UTC; zones are IANA names, checked by ``directory.validators``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from chancery.directory.validators import validate_time_zone
from chancery.tracking import Tracking

CALL = Tracking("CALL", "a call's", "received_at", "call request")
"""A call request's tracking number, CALL-2020-000123."""


class CallState(models.TextChoices):
    """A call request's lifecycle (docs/architecture.md, "The call lifecycle")."""

    REQUESTED = "requested", "Requested"
    TRIAGED = "triaged", "Triaged"
    APPROVED = "approved", "Approved"
    SCHEDULED = "scheduled", "Scheduled"
    CLEARED = "cleared", "Package cleared"
    CONNECTED = "connected", "Connected"
    COMPLETED = "completed", "Completed"
    DEFERRED = "deferred", "Deferred"
    DECLINED = "declined", "Declined"
    FAILED = "failed", "Failed to connect"


OPEN_CALL_STATES = (
    CallState.REQUESTED, CallState.TRIAGED, CallState.APPROVED, CallState.SCHEDULED,
    CallState.CLEARED, CallState.DEFERRED,
)
"""Still to be held: the queue, the counts of open requests."""

SCHEDULABLE_STATES = (CallState.APPROVED, CallState.SCHEDULED, CallState.CLEARED)
"""What the solver places: approved requests, and the scheduled ones it may move (not fixed)."""

DIARY_GRID = 5
"""Minutes: calls start on this grid and take whole places of it (the scheduler's granularity)."""

ON_CALENDAR = (CallState.SCHEDULED, CallState.CLEARED, CallState.CONNECTED, CallState.COMPLETED)


class CallChannel(models.TextChoices):
    PORTAL = "portal", "Liaison portal"
    API = "api", "API"
    STAFF = "staff", "Entered by staff"


class CallSettings(models.Model):
    """A principal's call settings: the precedence policy (``precedence.Policy.to_dict()``),
    the hours the principal takes calls (in the principal's zone), the daily cap, the buffer
    between calls, and how many note-takers are on duty (at least two per call)."""

    principal = models.OneToOneField(
        "directory.Principal", on_delete=models.PROTECT, related_name="call_settings"
    )
    policy = models.JSONField(help_text="Precedence policy, as precedence.Policy.to_dict()")
    day_start = models.TimeField(default=dt.time(8, 0))
    day_end = models.TimeField(default=dt.time(20, 0))
    daily_cap = models.PositiveSmallIntegerField(default=6)
    buffer_minutes = models.PositiveSmallIntegerField(default=10)
    note_takers = models.PositiveSmallIntegerField(
        default=2, help_text="Note-takers on duty; each call needs two"
    )
    dial_in = models.TextField(
        blank=True, help_text="Dial-in instructions sent with every invitation"
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "call settings"

    def __str__(self) -> str:
        return f"Call settings of {self.principal}"


class BlockedTime(models.Model):
    """Time the principal does not take calls (in addition to the daily hours)."""

    principal = models.ForeignKey(
        "directory.Principal", on_delete=models.PROTECT, related_name="blocked_times"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                   name="blocked_time_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.label or 'Blocked'} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC"


class Interpreter(models.Model):
    """An interpreter on the roster: languages (ISO 639-1, into English), hours in their own
    zone, calls per day. Signs in with role ``interpreter``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interpreter"
    )
    name = models.CharField(max_length=200)
    languages = models.JSONField(default=list)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    day_start = models.TimeField(default=dt.time(7, 0))
    day_end = models.TimeField(default=dt.time(22, 0))
    daily_cap = models.PositiveSmallIntegerField(default=4)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CallRequest(models.Model):
    """A request for a call between a foreign leader (the office) and the principal.

    The leader's side proposes a window: dates (``earliest``..``latest``) and acceptable local
    hours (``local_start``..``local_end`` in ``time_zone``, the leader's zone). ``duration`` is
    the speaking time in minutes; with consecutive interpretation the call takes twice as long
    (``planned_minutes``)."""

    principal = models.ForeignKey(
        "directory.Principal", on_delete=models.PROTECT, related_name="call_requests"
    )
    office = models.ForeignKey(
        "directory.Office", on_delete=models.PROTECT, related_name="call_requests"
    )
    channel = models.CharField(max_length=16, choices=CallChannel.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="submitted_calls",
    )
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(db_index=True)

    purpose = models.TextField(help_text="What the leader's side wants to discuss (private)")
    language = models.CharField(max_length=8, help_text="Language the leader speaks on the call")
    brings_interpreter = models.BooleanField(default=False)
    duration = models.PositiveSmallIntegerField(default=15, help_text="Speaking time, minutes")
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    earliest = models.DateField()
    latest = models.DateField()
    local_start = models.TimeField(default=dt.time(8, 0))
    local_end = models.TimeField(default=dt.time(20, 0))

    state = models.CharField(max_length=16, choices=CallState.choices,
                             default=CallState.REQUESTED)
    waits_for = models.CharField(
        max_length=16, blank=True,
        help_text="The principal's status the support policy waits for; empty when not gated",
    )
    tier = models.CharField(max_length=200, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True,
                                       help_text="Position in the principal's precedence order")
    rank_reason = models.TextField(blank=True)
    triage_note = models.TextField(blank=True)
    decline_reason = models.TextField(blank=True, help_text="Shown to the liaison")
    defer_reason = models.TextField(blank=True)

    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    interpreter = models.ForeignKey(
        Interpreter, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    fixed = models.BooleanField(
        default=False, help_text="Placed by an officer: a re-solve keeps it where it is"
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: raised by every reschedule or cancellation"
    )
    unplaced_reason = models.TextField(blank=True,
                                       help_text="Why the last solve could not place it")

    talking_points = models.TextField(blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="cleared_calls",
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="call_idempotency_per_submitter",
            ),
            models.CheckConstraint(condition=models.Q(latest__gte=models.F("earliest")),
                                   name="call_window_latest_after_earliest"),
        ]
        indexes = [models.Index(fields=["principal", "state"])]

    def __str__(self) -> str:
        return self.tracking

    @property
    def tracking(self) -> str:
        return CALL.of(self)

    @property
    def interpreted(self) -> bool:
        """Whether the call needs interpretation (consecutive: twice the speaking time)."""
        return self.language != "en"

    @property
    def diary_duration(self) -> int:
        """The speaking time rounded up to the diary's 5-minute grid (a 14-minute call takes a
        15-minute place): what the scheduler is given."""
        return -(-self.duration // DIARY_GRID) * DIARY_GRID

    @property
    def planned_minutes(self) -> int:
        """Minutes in the principal's diary, as the scheduler counts them
        (``scheduler.CallRequest.minutes``, from :attr:`diary_duration`)."""
        if self.interpreted and not self.brings_interpreter:
            return self.diary_duration * 2
        return self.diary_duration

    @property
    def gated(self) -> bool:
        return bool(self.waits_for)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CALL_STATES


class ContactAttempt(models.Model):
    """One attempt to reach the other side for a scheduled call."""

    class Outcome(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NO_ANSWER = "no_answer", "No answer"
        BUSY = "busy", "Line busy"
        LINE_FAILED = "line_failed", "Line failed"
        POSTPONED = "postponed", "Other side asked to postpone"

    call = models.ForeignKey(CallRequest, on_delete=models.PROTECT, related_name="attempts")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} at {self.at:%Y-%m-%d %H:%M} UTC"


class ScheduleRun(models.Model):
    """One solve for a principal, queued by a person and run by the worker (never in a web
    request). ``progress`` is the solver's latest report (phase, solutions, objective, bound,
    seconds), ``result`` the summary once done (placed, unplaced with reasons, metrics)."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    principal = models.ForeignKey(
        "directory.Principal", on_delete=models.PROTECT, related_name="schedule_runs"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.PROTECT)
    requested_at = models.DateTimeField()
    start_day = models.DateField(help_text="First day of the horizon (principal's zone)")
    days = models.PositiveSmallIntegerField(default=14)
    time_limit = models.FloatField(default=10.0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Solve #{self.pk} ({self.get_state_display()})"


class Invitation(models.Model):
    """An iCalendar invitation to send (RFC 5545/5546): METHOD REQUEST for a new or moved call
    (its ``sequence`` raised on every change), CANCEL when the call loses its time. Queued in the
    transaction of the change, sent by the worker; ``ics`` is the exact text sent."""

    class Method(models.TextChoices):
        REQUEST = "REQUEST", "Invitation or update"
        CANCEL = "CANCEL", "Cancellation"

    call = models.ForeignKey(CallRequest, on_delete=models.PROTECT, related_name="invitations")
    method = models.CharField(max_length=8, choices=Method.choices)
    sequence = models.PositiveIntegerField()
    recipients = models.JSONField(default=list)
    ics = models.TextField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.method} #{self.sequence} for call {self.call_id}"


class FeedToken(models.Model):
    """A secret token for a subscribable ``.ics`` feed (a principal's or an interpreter's).
    Only its SHA-256 is stored; the URL carries the secret."""

    principal = models.ForeignKey("directory.Principal", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="feed_tokens")
    interpreter = models.ForeignKey(Interpreter, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="feed_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(principal__isnull=False, interpreter__isnull=True)
                           | models.Q(principal__isnull=True, interpreter__isnull=False)),
                name="feed_token_principal_xor_interpreter",
            ),
        ]

    def __str__(self) -> str:
        return f"Feed token {self.prefix}…"
