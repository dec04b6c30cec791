"""The business rules of correspondence, written once, one module per seam.

HTML views, the API, the CLI, the worker and the demo loader all call these functions. Each takes
the acting user, checks what that user may do, makes its change and records the event in one
transaction, so a failure half-way leaves nothing behind.

No-silent-withholding rules (see docs/architecture.md):
- a hold needs a category and a written reason; it lapses after CHANCERY_HOLD_LAPSE_HOURS unless a
  *different* officer confirms it; a confirmed hold ends CHANCERY_HOLD_MAX_HOURS after it was
  placed (or last renewed) unless two officers renew it; a hold past its expiry can no longer be
  confirmed or renewed, and the officer whose hold ended unconfirmed cannot simply place it again;
- a hold that expires delivers the message to the principal's office automatically;
- a principal whose support policy waits for a status holds messages visibly (a policy hold), tells
  the sender, and delivers them in order of receipt the moment the status is reached; while the
  gate is closed every open message of that principal carries a hold (the worker keeps it so);
- a message past its delivery target and not under a hold is escalated once: flagged, an event,
  and an email to the principal's office.

Locks are always taken in the order principal -> message -> hold/translation, so two
transactions never wait on each other in a cycle (PostgreSQL; SQLite runs one writer at a time).

Modules: ``intake`` (submission, receipt), ``lifecycle`` (triage, translation, delivery,
acknowledgement, rejection), ``holds``, ``gate`` (transition status and the policy gate),
``escalation`` (the delivery target and its mail), ``sender`` (what the sender sees),
``actions`` (what a user may do now: the guards above and every page's action panel),
``counts`` (what every page counts, each count defined once) and
``common`` (input checks, locks and the primitive state changes they share). Callers import
from this package.
"""

from chancery.correspondence.services.actions import ACTIONS, Allowed, allowed_actions, may
from chancery.correspondence.services.common import (
    LIAISON_CHANNELS,
    MAX_REASON,
    MAX_SUBJECT,
    OFFICERS,
    active_hold,
)
from chancery.correspondence.services.counts import DEFINITIONS as COUNT_DEFINITIONS
from chancery.correspondence.services.counts import (
    count_messages,
    filter_messages,
    overdue_action,
    overdue_action_everywhere,
    row_overdue_action,
    with_overdue_action,
)
from chancery.correspondence.services.escalation import (
    MAIL_ATTEMPTS,
    MAIL_RETRY_AFTER,
    escalate_overdue,
    overdue_messages,
    principal_counts,
    send_pending_notifications,
)
from chancery.correspondence.services.gate import sync_policy_gates
from chancery.correspondence.services.holds import (
    confirm_hold,
    expire_holds,
    place_hold,
    release_hold,
    renew_hold,
)
from chancery.correspondence.services.intake import (
    Submission,
    receipt,
    receipt_with_proofs,
    submission_answer,
    submit_message,
)
from chancery.correspondence.services.lifecycle import (
    acknowledge,
    deliver,
    reject,
    request_translation,
    sign_off_translation,
    triage,
)
from chancery.correspondence.services.sender import POLICY_PENDING, sender_status
from chancery.directory.services import set_principal_status

__all__ = [
    "ACTIONS", "COUNT_DEFINITIONS", "Allowed", "LIAISON_CHANNELS", "MAIL_ATTEMPTS",
    "MAIL_RETRY_AFTER", "MAX_REASON",
    "MAX_SUBJECT", "OFFICERS", "POLICY_PENDING", "Submission", "acknowledge", "active_hold",
    "allowed_actions", "confirm_hold", "count_messages", "filter_messages", "may",
    "deliver", "escalate_overdue", "expire_holds", "overdue_action", "overdue_action_everywhere",
    "overdue_messages",
    "place_hold", "row_overdue_action", "with_overdue_action",
    "principal_counts", "receipt", "receipt_with_proofs", "reject", "release_hold",
    "renew_hold", "request_translation", "send_pending_notifications", "sender_status",
    "set_principal_status", "sign_off_translation", "submission_answer", "submit_message",
    "sync_policy_gates", "triage",
]
