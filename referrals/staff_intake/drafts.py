"""An officer's typing on "Record a referral" outlives the end of their session: kept sealed
when the session ends under a send, and given back once they have signed in again."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.core import signing
from django.http import QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from .. import sealing
from ..models import RecordDraft
from . import files, forms

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

KEEP_FOR = timedelta(days=1)
NOT_KEPT = ("csrfmiddlewaretoken",)


def keep_if_recording(request: HttpRequest) -> bool:
    """Before a session that has run out is ended: a send of the record page's answers is
    kept for its officer. Only a genuine send from the page (its CSRF token checked here, as
    the view would) so no other site can put words in an officer's form."""
    if request.method != "POST" or request.path != reverse("staff:referrals_referral_record"):
        return False
    if request.POST.get("stage") != "details":
        return False
    refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
    if refused is not None:
        return False
    keep(request.user, request.POST)
    try:
        arrival = signing.loads(
            request.POST.get("arrival", ""),
            salt=forms.arrival_salt(request.user),
            max_age=forms.ARRIVAL_MAX_AGE,
        )
    except signing.BadSignature:
        return True
    files.hold_sent(request, arrival["token"])  # and the files sent with it
    return True


@sensitive_variables("data", "lists")
def keep(user: User, data: QueryDict) -> None:
    lists = {key: values for key, values in data.lists() if key not in NOT_KEPT}
    draft = RecordDraft(user=user, saved_at=timezone.now())
    draft.envelope = sealing.seal(lists, context=draft.envelope_context())
    RecordDraft.objects.filter(user=user).delete()
    draft.save()


def take(user: User) -> tuple[QueryDict, RecordDraft] | None:
    """The officer's kept answers as the page would send them, and the draft's record; the
    draft is deleted, so it is given back once."""
    draft = RecordDraft.objects.filter(user=user, saved_at__gte=timezone.now() - KEEP_FOR).first()
    RecordDraft.objects.filter(user=user).delete()
    if draft is None:
        return None
    lists = sealing.unseal(bytes(draft.envelope), context=draft.envelope_context())
    data = QueryDict(mutable=True)
    for key, values in lists.items():
        data.setlist(key, values)
    return data, draft


def forget_stale(now=None) -> int:
    """Drafts no one came back for within a day (the daily job)."""
    now = now or timezone.now()
    deleted, _ = RecordDraft.objects.filter(saved_at__lt=now - KEEP_FOR).delete()
    return deleted
