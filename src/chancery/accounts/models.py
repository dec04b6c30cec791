"""People: roles are Django groups; a profile binds a person to a mission, principal, languages."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    WATCH_OFFICER = "watch_officer", "Watch officer"
    PROTOCOL_OFFICER = "protocol_officer", "Protocol officer"
    TRANSLATOR = "translator", "Translator"
    INTERPRETER = "interpreter", "Interpreter"
    PRINCIPAL_OFFICE = "principal_office", "Principal's office"
    LIAISON = "liaison", "Foreign liaison"
    AUDITOR = "auditor", "Auditor"
    RECORDS_OFFICER = "records_officer", "Records officer"
    ADMIN = "admin", "Administrator"


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=200, blank=True)
    mission = models.ForeignKey(
        "directory.Mission",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="For liaisons: the one mission (and so country) they act for",
    )
    principal = models.ForeignKey(
        "directory.Principal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="For the principal's office: whose inbox they keep",
    )
    languages = models.JSONField(default=list, blank=True, help_text="For translators: ISO 639-1")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token: a 256-bit random secret, stored only as its SHA-256 and looked up by it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a token")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    PREFIX = "chy_"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user: object, name: str = "") -> tuple[ApiToken, str]:
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, digest=hash_token(secret), prefix=secret[:10]
        )
        return token, secret
