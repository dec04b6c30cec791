"""The Atom feed of published read-outs (``/readouts/feed.atom``): one entry per published
version, so a correction is a new entry (its title says so, its text carries the note) and the
feed's ``updated`` moves with it. Public, no login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from chancery.records.access_readouts import published_readout_versions

FEED_ENTRIES = 100
"""The newest published versions the feed carries."""


@require_GET
def readouts_feed(request: HttpRequest) -> HttpResponse:
    home = request.build_absolute_uri(reverse("readout_public_list"))
    feed = Atom1Feed(
        title="Read-outs of the transition's calls",
        link=home,
        description="The public read-outs of the President-elect's and Vice President-elect's "
        "calls with foreign leaders, with their corrections.",
        feed_url=request.build_absolute_uri(reverse("readout_feed")),
        feed_guid=home,
        language="en",
    )
    versions = published_readout_versions()[:FEED_ENTRIES]
    for v in versions:
        link = request.build_absolute_uri(reverse("readout_public", args=[v.readout.slug]))
        corrected = bool(v.correction_note)
        text = v.body
        if corrected:
            text = f"Correction: {v.correction_note}\n\n{v.body}"
        feed.add_item(
            title=("Corrected: " if corrected else "") + v.title,
            link=link,
            description=text,
            unique_id=f"{link}#v{v.number}",
            unique_id_is_permalink=False,
            pubdate=v.published_at,
            updateddate=v.published_at,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response
