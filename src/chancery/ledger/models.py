"""Events and the transparency log that publishes them.

Every state change is an :class:`Event` row written in the same transaction as the change. Each
event is also a leaf of the transparency log: ``leaf`` holds the canonical, versioned JSON that
is hashed into the log; it never contains message text, only identifiers, states, times and
salted commitments.

The log itself is three tables, all written by the sequencer in one transaction per batch
(``ledger/sequencer.py``): the events' ``seq`` (their index in the log, empty while pending),
the C2SP tlog-tiles (:class:`Tile`), and the signed checkpoints (:class:`Checkpoint`), with
:class:`LogHead` the single row the sequencer moves by compare-and-swap.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

ENTRIES_LEVEL = -1
"""``Tile.level`` of entry bundles (``tile/entries/...``); hash tiles use levels 0 and up."""


class Event(models.Model):
    # No index on ``at`` or ``actor``: nothing looks events up by them, and every index is one
    # more write for each intake and for each event the sequencer integrates.
    at = models.DateTimeField()
    kind = models.CharField(max_length=64)
    subject_type = models.CharField(max_length=32, help_text="message, principal, call, record")
    subject_id = models.BigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        help_text="Empty for the system (the worker, the policy gate)",
    )
    data = models.JSONField(default=dict, help_text="Public-safe details: never message text")
    leaf = models.BinaryField(help_text="Canonical JSON leaf for the transparency log")
    salt = models.CharField(
        max_length=32,
        blank=True,
        default="",
        help_text="Hex salt of the commitments that stand in the leaf for free text (reasons)",
    )
    seq = models.BigIntegerField(
        null=True,
        blank=True,
        unique=True,
        help_text="Index in the transparency log; empty until the sequencer integrates it",
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "id"]),
            # The sequencer's queue: only pending rows are in it, so it stays small.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="ledger_event_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.subject_type}:{self.subject_id}"


class Tile(models.Model):
    """One C2SP tlog-tiles tile: 256 hashes (or entries) at most, or fewer at the right edge.

    A full tile is never rewritten. The right-most tile of each level grows batch by batch;
    since a tile's first W hashes never change, any ``.p/W`` tile up to the stored width is a
    prefix of the stored data."""

    level = models.SmallIntegerField(help_text="Hash tile level, or -1 for an entry bundle")
    index = models.BigIntegerField()
    width = models.SmallIntegerField()
    data = models.BinaryField()
    inner = models.BinaryField(
        blank=True,
        default=b"",
        help_text="A full hash tile's inner nodes (tiles.tile_inner_nodes), so proofs read them",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="ledger_tile_unique"),
        ]

    def __str__(self) -> str:
        return f"tile {self.level}/{self.index} width {self.width}"


class Checkpoint(models.Model):
    """A signed tree head: the C2SP checkpoint the sequencer signed for one tree size."""

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField()
    note = models.TextField(help_text="The signed note, as the log signed it")
    cosigned = models.TextField(
        blank=True, default="", help_text="The note with the witnesses' cosignatures added"
    )
    right_edge = models.BinaryField(help_text="The tree's perfect subtree roots, concatenated")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["size"]

    def __str__(self) -> str:
        return f"checkpoint {self.size}"

    @property
    def served(self) -> str:
        """The checkpoint as served: with the witnesses' cosignatures once they have added
        them."""
        return self.cosigned or self.note


class LogHead(models.Model):
    """The single row naming the log's current checkpoint; moved by compare-and-swap on size."""

    origin = models.CharField(max_length=255)
    vkey = models.CharField(max_length=512, help_text="The log's verifier key (note format)")
    size = models.BigIntegerField(default=0)
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT)
    stamp = models.TextField(
        blank=True,
        default="",
        help_text="A timestamped cosignature/v1 line over the current checkpoint by this "
        "installation's witness key, renewed every CHANCERY_LOG_STAMP_INTERVAL even when "
        "nothing new arrived, so a stale log can be told from an idle one",
    )
    stamped_at = models.DateTimeField(null=True, blank=True, help_text="The stamp's time")

    def __str__(self) -> str:
        return f"{self.origin} at {self.size}"


class Heartbeat(models.Model):
    """The last run of one background process (the worker's pass, the sequencer's tick):
    one row per name, overwritten on every run. What the pages, ``chancery status`` and
    ``/readyz`` read to say a process has stopped."""

    name = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField(help_text="When it last ran")
    interval = models.FloatField(help_text="Seconds it promises between two runs")
    version = models.CharField(max_length=64, blank=True, default="")
    host = models.CharField(max_length=255, blank=True, default="")
    pid = models.IntegerField(null=True, blank=True)
    summary = models.JSONField(default=dict, help_text="What its last run did")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


class ChangedRow(models.Model):
    """A queue of rows changed in the domain tables, filled by database triggers (so a change
    made with SQL, behind the application's back, lands here too) and consumed by the worker,
    which compares each changed row with the state its events produce and records an alert
    event when they disagree. The triggers are created by each domain app's migrations."""

    table = models.CharField(max_length=64)
    row_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.table} #{self.row_id}"


class WitnessState(models.Model):
    """What a witness has cosigned for us (as its submitter), or what we witnessed for a log.

    ``role`` "witness": a witness we submit our checkpoints to; ``size`` is the last size it
    acknowledged. ``role`` "log": a log we witness; ``size``/``root`` are the latest checkpoint
    we cosigned for it, the state the C2SP tlog-witness protocol keeps per origin."""

    role = models.CharField(max_length=8, choices=[("witness", "witness"), ("log", "log")])
    name = models.CharField(max_length=255, help_text="The witness's key name, or a log origin")
    size = models.BigIntegerField(default=0)
    root = models.BinaryField(default=b"")
    note = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "name"], name="ledger_witness_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.name} at {self.size}"


class Read(models.Model):
    """Who read a subject's content (a message, a record...), when, how and which part: the
    access audit. The ledger knows no domain: a subject is a type name and an id, labelled for
    the audit by what each app registers (``ledger/reads.py``). Written by
    ``ledger.reads.record_read``; never changed or deleted."""

    subject_type = models.CharField(max_length=32)
    subject_id = models.BigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    via = models.CharField(max_length=16, help_text="web, api, export")
    part = models.CharField(max_length=32, default="body")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="ledger_read_subject"),
            models.Index(fields=["at"], name="ledger_read_at"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user} read {self.part} of {self.subject_type} {self.subject_id} "
            f"at {self.at:%Y-%m-%d}"
        )
