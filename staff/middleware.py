"""Staff sessions end after a spell of inactivity and after a maximum length, whatever
the cookie says."""

import time

from django.conf import settings
from django.contrib.auth import logout

from referrals import audit
from referrals.models import AuditAction

from .signals import LAST_SEEN, SIGNED_IN_AT


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in = session.get(SIGNED_IN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            idle = now - last_seen > settings.STAFF_SESSION_IDLE_MINUTES * 60
            too_long = now - signed_in > settings.STAFF_SESSION_MAX_HOURS * 3600
            if idle or too_long:
                # An officer recording a referral must not lose what they typed to the clock.
                from referrals.staff_intake import drafts

                drafts.keep_if_recording(request)
                audit.record(
                    action=AuditAction.SESSION_EXPIRED,
                    actor=user,
                    detail="idle" if idle else "maximum length",
                    request=request,
                )
                logout(request)
            else:
                session[SIGNED_IN_AT] = signed_in
                session[LAST_SEEN] = now
        return self.get_response(request)
