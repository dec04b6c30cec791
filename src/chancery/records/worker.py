"""The periodic steps of records, run by ``chancery worker`` (``chancery/worker.py``)."""

from __future__ import annotations

from chancery.worker import register_step


def register() -> None:
    from chancery.records.search import index
    from chancery.records.services import readouts

    # After invitations (150): cleared read-outs whose call has ended and whose embargo has
    # passed are published; then the search index catches up with the events.
    register_step("readouts_published", readouts.publish_due, order=160)
    register_step("indexed", index.index_pending, order=170)
