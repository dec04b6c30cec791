"""Tracking numbers, one shape for every tracked subject: ``PREFIX-YYYY-NNNNNN`` (the year the
subject was received or created, then its row id, six digits or more): CH- for messages,
CALL- for call requests, TELCON-, READOUT- and REPLY- for records. Each app declares its own
(``TELCON = Tracking("TELCON", "a telcon's", "created_at")``) and its access helpers fetch through
it, so a number in the wrong form, of another year or of a row the user may not see is the same
404, worded the same way, everywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from chancery.errors import NotFound

T = TypeVar("T", bound=Model)


@dataclass(frozen=True)
class Tracking:
    prefix: str
    """"TELCON"."""
    whose: str
    """How the refusal names the form: "a telcon's" ("... is not a telcon's tracking number")."""
    year_field: str
    """The field whose year the number carries ("created_at", "received_at")."""
    noun: str = ""
    """How "No ... that you can see" names one ("telcon"); the prefix in lower case if empty."""
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", re.compile(rf"^{self.prefix}-(\d{{4}})-(\d{{6,}})$"))

    @property
    def example(self) -> str:
        return f"{self.prefix}-2020-000123"

    def format(self, year: int, pk: int) -> str:
        return f"{self.prefix}-{year:04d}-{pk:06d}"

    def of(self, obj: Any) -> str:
        """The tracking number of a saved row."""
        return self.format(getattr(obj, self.year_field).year, obj.pk)

    def matches(self, text: str) -> bool:
        return bool(self.pattern.match(str(text or "").strip().upper()))

    def parse(self, text: str) -> tuple[int, int]:
        """``TELCON-2020-000012`` -> (2020, 12); a 404 naming the form otherwise."""
        match = self.pattern.match(str(text or "").strip().upper())
        if not match:
            raise NotFound(
                f"{text!r} is not {self.whose} tracking number; they look like {self.example}.",
                field="tracking",
            )
        return int(match.group(1)), int(match.group(2))

    def fetch(self, rows: QuerySet[T], text: str, *, where: str = "that you can see") -> T:
        """The row of ``rows`` (the user's scope) that ``text`` names; 404 otherwise, whether the
        row does not exist, is of another year, or is outside the scope."""
        year, pk = self.parse(text)
        obj = rows.filter(pk=pk).first()
        if obj is None or getattr(obj, self.year_field).year != year:
            noun = self.noun or self.prefix.lower()
            raise NotFound(f"No {noun} {text} {where}.", field="tracking")
        return obj
