"""The Prevent process after a referral arrives, as data (../shared/DOMAIN.md section 2).

One table a reader can check against the process. The case view offers only what it allows;
services.change_status refuses anything else. Status values are stored in the clear and must
never change meaning once referrals use them.
"""

from django.db import models


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    DECONFLICTION = "deconfliction", "Deconfliction"
    GATEWAY_ASSESSMENT = "gateway_assessment", "Gateway assessment"
    CLOSED_NFA = "closed_nfa", "Closed: no further action"
    REFERRED_OTHER_SERVICES = "referred_other_services", "Referred to other services"
    POLICE_LED_PARTNERSHIP = "police_led_partnership", "Police-led partnership"
    CHANNEL_PANEL = "channel_panel", "Channel panel"
    CHANNEL_NOT_ADOPTED = "channel_not_adopted", "Channel: not adopted"
    CONSENT_SOUGHT = "consent_sought", "Channel: consent sought"
    CONSENT_DECLINED = "consent_declined", "Channel: consent declined"
    CHANNEL_ADOPTED = "channel_adopted", "Channel: support active"
    CHANNEL_EXITED = "channel_exited", "Channel: support ended"
    REVIEW_6M = "review_6m", "Review at 6 months"
    REVIEW_12M = "review_12m", "Review at 12 months"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"
    ESCALATED = "escalated", "Escalated: immediate risk"


S = Status

# From each status, where a case may go next. Escalation is possible from every open status.
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    S.RECEIVED: (S.DECONFLICTION,),
    S.DECONFLICTION: (S.GATEWAY_ASSESSMENT,),
    S.GATEWAY_ASSESSMENT: (
        S.CLOSED_NFA,
        S.REFERRED_OTHER_SERVICES,
        S.POLICE_LED_PARTNERSHIP,
        S.CHANNEL_PANEL,
    ),
    S.CHANNEL_PANEL: (S.CHANNEL_NOT_ADOPTED, S.CONSENT_SOUGHT),
    S.CHANNEL_NOT_ADOPTED: (S.REFERRED_OTHER_SERVICES, S.CLOSED_NFA),
    S.CONSENT_SOUGHT: (S.CHANNEL_ADOPTED, S.CONSENT_DECLINED),
    S.CONSENT_DECLINED: (S.POLICE_LED_PARTNERSHIP, S.REFERRED_OTHER_SERVICES),
    S.CHANNEL_ADOPTED: (S.CHANNEL_EXITED,),
    S.CHANNEL_EXITED: (S.REVIEW_6M,),
    S.REVIEW_6M: (S.REVIEW_12M, S.REOPENED),
    S.REVIEW_12M: (S.CLOSED, S.REOPENED),
    S.REOPENED: (S.CHANNEL_PANEL,),
    S.POLICE_LED_PARTNERSHIP: (S.CLOSED,),
    S.ESCALATED: (S.GATEWAY_ASSESSMENT, S.POLICE_LED_PARTNERSHIP, S.CLOSED),
    S.CLOSED_NFA: (),
    S.REFERRED_OTHER_SERVICES: (),
    S.CLOSED: (S.REOPENED,),
}

# Decisions that end a stage of the process: each must be explained in a sealed case note.
OUTCOMES = frozenset(
    {
        S.CLOSED_NFA,
        S.REFERRED_OTHER_SERVICES,
        S.POLICE_LED_PARTNERSHIP,
        S.CHANNEL_NOT_ADOPTED,
        S.CONSENT_DECLINED,
        S.CHANNEL_ADOPTED,
        S.CHANNEL_EXITED,
        S.CLOSED,
        S.ESCALATED,
    }
)

# Entering one of these sets the closure date that retention counts from.
CLOSING = frozenset({S.CLOSED_NFA, S.REFERRED_OTHER_SERVICES, S.CLOSED})

# Awaiting the Prevent team's triage: these count towards "due" and "overdue".
AWAITING_TRIAGE = frozenset({S.RECEIVED, S.DECONFLICTION, S.GATEWAY_ASSESSMENT})


def allowed_from(status: str) -> tuple[Status, ...]:
    """Where a case in `status` may go next, escalation included while it is open."""
    current = Status(status)
    following = TRANSITIONS[current]
    if current not in CLOSING and current is not S.ESCALATED:
        following = (*following, S.ESCALATED)
    return following


def is_allowed(current: str, target: str) -> bool:
    try:
        return Status(target) in allowed_from(current)
    except ValueError:
        return False
