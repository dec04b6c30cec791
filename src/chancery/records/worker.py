"""The periodic steps of records, run by ``chancery worker`` (``chancery/worker.py``)."""

from __future__ import annotations

from chancery.worker import register_step


def register() -> None:
    from chancery.ledger.background import LAST
    from chancery.records.search import index
    from chancery.records.services import readouts

    # After invitations (150): cleared read-outs whose call has ended and whose embargo has
    # passed are published. The search index follows the log's order, so it catches up last,
    # after the pass has integrated its own events (the ledger's step, LAST).
    register_step("readouts_published", readouts.publish_due, order=160)
    register_step("indexed", index.index_pending, order=LAST + 1)
