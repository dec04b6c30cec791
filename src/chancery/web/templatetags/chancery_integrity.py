"""The integrity alerts block (``web/_integrity_alerts.html``): rows changed behind the
application's back that disagree with the log (``ledger.integrity``), in red, until they agree
again.

``{% integrity_alerts %}`` on the staff dashboard (with each subject's label and the findings'
text); ``{% integrity_alerts public=True %}`` on the public transparency page (only what the
alert event publishes: the subject, the rows and the log entries named, never the text)."""

from __future__ import annotations

from typing import Any

from django import template

from chancery.ledger import integrity
from chancery.ledger.reads import subject_labels

register = template.Library()


@register.inclusion_tag("web/_integrity_alerts.html")
def integrity_alerts(public: bool = False) -> dict[str, Any]:
    alerts = integrity.open_alerts()
    labels = {} if public else subject_labels((a.subject, a.id) for a in alerts)
    return {
        "alerts": [
            {"alert": a, "label": labels.get((a.subject, a.id))} for a in alerts
        ],
        "public": public,
        "queued": integrity.queued_rows(),
    }
