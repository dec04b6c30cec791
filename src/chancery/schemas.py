"""What every app's API schemas share: id and slug shapes, the input base class that refuses
text no database stores, and the one error shape every endpoint answers with."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import field_validator

MAX_ID = 2**63 - 1  # the database's 64-bit integer keys
SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,50}$"
LANGUAGE_PATTERN = r"^[a-zA-Z]{2,3}$"

#: A database id as the API accepts it: a positive 64-bit integer.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class InSchema(Schema):
    """Input schema: no text field may carry a NUL or an unpaired surrogate, which no database
    stores (PostgreSQL refuses NUL, UTF-8 has no surrogates); the answer names the field."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("contains a NUL character (\\u0000); remove it")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(
                    "is not valid Unicode: it contains an unpaired surrogate (a broken "
                    "\\ud800-\\udfff escape); send the text as UTF-8"
                ) from None
        return value


class ErrorOut(Schema):
    error: str = Field(..., description="A stable code, e.g. invalid_input, not_found, conflict")
    detail: str = Field(..., description="What is wrong and how to fix it")
    field: str | None = Field(None, description="The field at fault, when there is one")
    errors: list[dict[str, Any]] | None = Field(
        None, description="For invalid_input: each field's problem (location, type, message)"
    )
