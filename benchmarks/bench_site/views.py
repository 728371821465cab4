"""The baseline for the sealed submission: the same request and the same journey state, but
the answers saved as plain JSON text in one INSERT (what a naive form would do), no sealing,
no throttle, no notification."""

import json

from django.db import connection
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from referrals import journey, journey_state
from referrals.models import new_reference

TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_plain_referral "
    "(id bigserial PRIMARY KEY, reference text UNIQUE, received_at timestamptz, answers text)"
)


class PlainSendView(View):
    def post(self, request):
        try:
            answers = journey_state.load(request)
        except journey_state.JourneyStateError:
            return redirect("referrals:expired")
        if journey.first_unanswered(answers) is not None:
            return redirect("referrals:start")
        reference = new_reference()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_plain_referral (reference, received_at, answers) "
                "VALUES (%s, %s, %s)",
                [reference, timezone.now(), json.dumps(answers)],
            )
        # Post, redirect, get, as the sealed send does, so only the storing differs.
        response = redirect("bench_plain_sent")
        journey_state.discard(request, response)
        response.set_cookie("plain_reference", reference, httponly=True, samesite="Strict")
        return response


class PlainSentView(View):
    def get(self, request):
        context = {
            "reference": request.COOKIES.get("plain_reference", ""),
            "under_18": False,
            "reply_code": "0000-0000-0000-0000",
        }
        return render(request, "referrals/confirmation.html", context)
