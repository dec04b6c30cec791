"""The correspondence app's periodic steps, registered with the worker (``chancery.worker``) from
``CorrespondenceConfig.ready()``.

In pass order, the withholding rules first: policy gates, expired holds, escalations, then the
mail they produced, then language detection (the slowest, and the least urgent).
"""

from __future__ import annotations

from chancery.correspondence import language, services
from chancery.worker import register_step


def expire_holds() -> int:
    return len(services.expire_holds())


def escalate_overdue() -> int:
    return len(services.escalate_overdue())


def register() -> None:
    register_step("gated", services.sync_policy_gates, order=100)
    register_step("expired", expire_holds, order=110)
    register_step("escalated", escalate_overdue, order=120)
    register_step("mailed", services.send_pending_notifications, order=130)
    register_step("detected", language.detect_pending, order=200)
