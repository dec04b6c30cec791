"""Countries, organisations, leaders and the offices they hold, missions, principals."""

from __future__ import annotations

from django.db import models

from chancery.directory.validators import (
    validate_country_code,
    validate_language_list,
    validate_time_zone,
)


class Country(models.Model):
    """A state, by its ISO 3166-1 alpha-2 code (names come from pycountry)."""

    code = models.CharField(max_length=2, unique=True, validators=[validate_country_code])
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """An international organisation whose head writes to the principal (NATO, UN, EU)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Leader(models.Model):
    name = models.CharField(max_length=200)
    native_name = models.CharField(max_length=200, blank=True)
    languages = models.JSONField(
        default=list,
        validators=[validate_language_list],
        help_text="ISO 639-1 codes, the official language(s) first",
    )
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """An office held by a leader over a period, or an institution that writes (a ministry)."""

    class Kind(models.TextChoices):
        HEAD_OF_STATE = "head_of_state", "Head of state"
        HEAD_OF_GOVERNMENT = "head_of_government", "Head of government"
        FOREIGN_MINISTER = "foreign_minister", "Foreign minister"
        HEAD_OF_ORGANISATION = "head_of_organisation", "Head of an international organisation"
        MINISTRY = "ministry", "Ministry (institutional sender)"
        OTHER = "other", "Other office (e.g. crown prince)"

    leader = models.ForeignKey(
        Leader, null=True, blank=True, on_delete=models.PROTECT, related_name="offices"
    )
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="offices"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="offices"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200, help_text="e.g. 'Prime Minister of Canada'")
    form_of_address = models.CharField(max_length=200, blank=True)
    took_office = models.DateField(null=True, blank=True)
    left_office = models.DateField(null=True, blank=True)
    monarch = models.BooleanField(
        default=False, help_text="A hereditary head of state (precedence: monarch-first option)"
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(country__isnull=False, organisation__isnull=True)
                    | models.Q(country__isnull=True, organisation__isnull=False)
                ),
                name="office_country_xor_organisation",
            ),
        ]

    def __str__(self) -> str:
        if self.leader_id:
            return f"{self.title}, {self.leader}"
        return self.title

    @property
    def polity(self) -> str:
        return str(self.country or self.organisation)

    @property
    def languages(self) -> list[str]:
        return list(self.leader.languages) if self.leader else []


class Mission(models.Model):
    """A foreign mission accredited to us (embassy, delegation), and its head."""

    class HeadClass(models.IntegerChoices):
        # Vienna Convention on Diplomatic Relations, art. 14
        AMBASSADOR = 1, "Ambassador or nuncio"
        ENVOY = 2, "Envoy, minister or internuncio"
        CHARGE = 3, "Chargé d'affaires"

    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="missions"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="missions"
    )
    name = models.CharField(max_length=200)
    head_name = models.CharField(max_length=200, blank=True)
    head_class = models.IntegerField(choices=HeadClass.choices, default=HeadClass.AMBASSADOR)
    functions_since = models.DateTimeField(
        null=True, blank=True, help_text="Date and time the head took up functions (art. 13)"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Principal(models.Model):
    """A leader or leader-elect whom Chancery serves, and the transition status in force."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        PROJECTED = "projected", "Projected winner"
        ASCERTAINED = "ascertained", "Ascertained"
        INAUGURATED = "inaugurated", "Inaugurated"

    STATUS_ORDER = ["candidate", "projected", "ascertained", "inaugurated"]

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CANDIDATE)
    delivery_requires = models.CharField(
        max_length=16,
        choices=Status.choices,
        blank=True,
        default="",
        help_text="Support policy: messages are held, visibly, until the status reaches this. "
        "Empty means no gate.",
    )
    office_email = models.EmailField(blank=True, help_text="Where escalations are sent")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.title} {self.name}"

    @property
    def gate_active(self) -> bool:
        return self.gated_at(self.status)

    def gated_at(self, status: str) -> bool:
        """Whether the support policy holds work while the status is ``status``."""
        if not self.delivery_requires:
            return False
        order = self.STATUS_ORDER
        return order.index(status) < order.index(self.delivery_requires)


class StatusChange(models.Model):
    """The history of a principal's transition status."""

    principal = models.ForeignKey(
        Principal, on_delete=models.PROTECT, related_name="status_changes"
    )
    status = models.CharField(max_length=16, choices=Principal.Status.choices)
    at = models.DateTimeField()
    by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.PROTECT)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.principal.slug} {self.status} at {self.at:%Y-%m-%d %H:%M}"
