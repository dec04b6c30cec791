"""Forms render the inputs and keep what the person typed; the rules are judged by the services
(every field here is optional at form level so that the service's message is the one shown)."""

from __future__ import annotations

from typing import Any

from django import forms

from chancery.correspondence.attachments import ALLOWED
from chancery.directory.models import Office, Principal

ACCEPT = ",".join(sorted({ext for exts in ALLOWED.values() for ext in exts}))


class SubmissionForm(forms.Form):
    # Selects, but CharFields: a value outside the list reaches the service, whose answer
    # (e.g. "you may submit only for your own country") is the one the person should read.
    sender_office = forms.CharField(
        label="From (sender office)", required=False, widget=forms.Select
    )
    principal = forms.CharField(label="To (principal)", required=False, widget=forms.Select)
    subject = forms.CharField(label="Subject", required=False, max_length=300)
    body = forms.CharField(
        label="Message text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "dir": "auto", "required": True}),
        help_text="Paste the text exactly as signed; it is kept as received, in any script.",
    )
    language = forms.CharField(
        label="Language (optional)",
        required=False,
        max_length=8,
        help_text="ISO 639-1 code such as fr, ar or he. Leave empty to have it detected.",
        widget=forms.TextInput(
            attrs={"list": "language-codes", "size": 6, "autocomplete": "off", "class": "narrow"}
        ),
    )

    def __init__(self, *args: Any, offices: list[Office], principals: list[Principal], **kw: Any):
        super().__init__(*args, **kw)
        office_widget: Any = self.fields["sender_office"].widget
        office_widget.choices = [("", "Choose the office that sends it")] + [
            (str(o.pk), str(o)) for o in offices
        ]
        principal_widget: Any = self.fields["principal"].widget
        principal_widget.choices = [(p.slug, f"{p.title} {p.name}") for p in principals]
        self.fields["sender_office"].widget.attrs["required"] = True

    def clean_sender_office(self) -> int | None:
        raw = self.cleaned_data.get("sender_office") or ""
        return int(raw) if str(raw).isdigit() else None
