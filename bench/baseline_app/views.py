"""The baseline for bench/intake.py: a bare Django view that inserts one row.

It reads the request body, inserts it as one ``BaselineRow`` and answers 201 with a small JSON
document; no authentication, no validation, no events. The intake benchmark runs it on the same
server and database in the same run, so "messages/s ÷ baseline/s" measures what Chancery's own
path (token lookup, validation, events, receipt) costs over Django's floor. Routed only by the
bench's own settings (``baseline_app.settings``), never by Chancery's.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from baseline_app.models import BaselineRow


@csrf_exempt
@require_POST
def baseline(request: HttpRequest) -> HttpResponse:
    row = BaselineRow.objects.create(
        created_at=timezone.now(), payload=request.body.decode("utf-8", errors="replace")
    )
    return JsonResponse({"id": row.pk}, status=201)
