"""The case view and its actions: HTTP only; every change goes through one casework service."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from referrals import (
    audit_log,
    case_summary,
    casework,
    identity_index,
    journey,
    retention,
    roles,
    sealing,
    selectors,
    workflow,
)
from referrals.attachments import selectors as attachment_selectors
from referrals.models import AuditEvent, Referral, ReplyMailbox
from referrals.services import REPORTER_STEPS
from referrals.working_time import describe_age

from .attachments import AttachForm
from .case_forms import (
    AssignForm,
    MessageForm,
    NoteForm,
    PriorityForm,
    RetainForm,
    RevealForm,
    TransitionForm,
)

# What each case action's form is sent to, and what it says when it has worked.
REFUSALS = (casework.CaseworkError, retention.RetentionError)


@dataclass(frozen=True)
class CaseAction:
    form: type[forms.Form]
    form_key: str  # the form's name in the case page's context
    permission: str  # checked here for the page; the service checks again
    error_field: str  # where a refusal from the service is shown
    # The service call; it returns the changed referral, or None when the row is unchanged.
    run: Callable[[Referral, dict, HttpRequest], Referral | None]
    done: Callable[[Referral, dict], str]
    path: str = ""  # the URL's last part, if not the action's name


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


CASE_ACTIONS = {
    "status": CaseAction(
        TransitionForm,
        "transition_form",
        "referrals.change_status",
        "to",
        run=lambda r, data, request: casework.change_status(
            referral=r, to=data["to"], note=data["note"], by=request.user, request=request
        ),
        done=lambda r, data: f"Status changed to {r.get_status_display()}.",
    ),
    "priority": CaseAction(
        PriorityForm,
        "priority_form",
        "referrals.change_status",
        "priority_reason",
        run=lambda r, data, request: casework.change_priority(
            referral=r,
            to=data["priority"],
            reason=data["priority_reason"],
            by=request.user,
            request=request,
        ),
        done=lambda r, data: f"Priority changed to {r.get_priority_display()}.",
    ),
    "assign": CaseAction(
        AssignForm,
        "assign_form",
        "referrals.assign_to_self",
        "to",
        run=lambda r, data, request: casework.assign(
            referral=r, to=data["to"], by=request.user, request=request
        ),
        done=lambda r, data: f"Assigned to {_name(data['to'])}.",
    ),
    "note": CaseAction(
        NoteForm,
        "note_form",
        "referrals.add_case_note",
        "text",
        run=lambda r, data, request: (
            casework.add_note(referral=r, by=request.user, text=data["text"], request=request)
            and None
        ),
        done=lambda r, data: "Note added.",
        path="notes",
    ),
    "message": CaseAction(
        MessageForm,
        "message_form",
        "referrals.add_case_note",
        "message",
        run=lambda r, data, request: (
            casework.send_message(
                referral=r, by=request.user, text=data["message"], request=request
            )
            and None
        ),
        done=lambda r, data: "Message sent. They will see it if they check.",
    ),
    "retain": CaseAction(
        RetainForm,
        "retain_form",
        "referrals.retain_referral",
        "review_on",
        run=lambda r, data, request: retention.retain(
            referral=r,
            by=request.user,
            reason=data["reason"],
            review_on=data["review_on"],
            request=request,
        ),
        done=lambda r, data: "The referral will be kept until the review date.",
    ),
}


class CaseViews:
    """The case view and its actions, for ReferralAdmin."""

    def case_urls(self, wrap) -> list:
        return [
            path(
                f"<int:pk>/{action.path or name}/",
                wrap(self._act(name)),
                name=f"referrals_referral_{name}",
            )
            for name, action in CASE_ACTIONS.items()
        ]

    def _act(self, name: str):
        """One view for every form action in CASE_ACTIONS: check, run, say, or show why not."""
        action = CASE_ACTIONS[name]

        @sensitive_post_parameters()
        def view(request, pk):
            referral = self._post(request, pk, action.permission)
            form = action.form(request.POST)
            if form.is_valid():
                try:
                    changed = action.run(referral, form.cleaned_data, request) or referral
                except REFUSALS as refused:
                    form.add_error(action.error_field, str(refused))
                else:
                    messages.success(request, action.done(changed, form.cleaned_data))
                    return self._back(changed)
            return self._case(
                request, referral, forms_with_errors={action.form_key: form}, status=400
            )

        return view

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return self._case(request, self._referral(request, object_id))

    def _purged(self, request, referral, *, refused=False):
        if refused:
            messages.error(request, f"{casework.PURGED}. Nothing was saved.")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Referral {referral.reference}",
            "referral": referral,
        }
        return TemplateResponse(
            request,
            "admin/referrals/referral/purged.html",
            context,
            status=409 if refused else 200,
        )

    def _cannot_open(self, request, referral, error):
        context = {
            **self.admin_site.each_context(request),
            "title": f"Referral {referral.reference}",
            "referral": referral,
            "missing_key": isinstance(
                error,
                (sealing.NoPrivateKeyError, sealing.UnknownKeyError, sealing.KeyringError),
            ),
        }
        return TemplateResponse(
            request, "admin/referrals/referral/cannot_open.html", context, status=503
        )

    def _referral(self, request, pk) -> Referral:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return Referral.objects.select_related("assigned_to").get(pk=int(pk))
        except (Referral.DoesNotExist, ValueError, TypeError) as missing:
            raise Http404 from missing

    def _case(self, request, referral, *, reporter=None, forms_with_errors=None, status=200):
        user = request.user
        if referral.purged_at is not None:
            return self._purged(request, referral, refused=bool(forms_with_errors))
        try:
            content = casework.open_referral(referral=referral, by=user, request=request)
            notes = casework.read_notes(referral=referral, by=user)
            thread = casework.read_thread(referral=referral, by=user)
        except sealing.SealingError as error:
            return self._cannot_open(request, referral, error)
        content_slugs = tuple(s.slug for s in journey.STEPS if s.slug not in REPORTER_STEPS)
        corrections = casework.read_corrections(referral=referral, by=user)
        sections = case_summary.sections(content, content_slugs, corrections)
        reporter_sections = None
        if reporter is not None:
            reporter_sections = case_summary.sections({**content, **reporter}, REPORTER_STEPS)
        transitions = [
            (status_.value, status_.label) for status_ in workflow.allowed_from(referral.status)
        ]
        forms_ = {
            "transition_form": TransitionForm(),
            "note_form": NoteForm(),
            "message_form": MessageForm(),
            "reveal_form": RevealForm(),
            "retain_form": RetainForm(),
            "attach_form": AttachForm(),
            "assign_form": AssignForm(),
            "priority_form": PriorityForm(),
            **(forms_with_errors or {}),
        }
        context = {
            **self.admin_site.each_context(request),
            "title": f"Referral {referral.reference}",
            "opts": self.opts,
            "referral": referral,
            "sections": sections,
            "notes": notes,
            "thread": thread,
            "has_mailbox": ReplyMailbox.objects.filter(referral=referral).exists(),
            "matches": identity_index.matches_for_case(referral, content),
            "summary": case_summary.summarise(referral, content),
            "history": _history(referral),
            "transitions": transitions,
            "outcomes": [s.value for s in workflow.OUTCOMES],
            "reporter_sections": reporter_sections,
            "age": describe_age(referral.received_at, timezone.now()),
            "can": {
                "change_status": roles.can(user, "referrals.change_status") and transitions,
                "add_note": roles.can(user, "referrals.add_case_note"),
                "reveal": roles.can(user, "referrals.reveal_reporter")
                and referral.reporter_envelope is not None,
                "assign_self": roles.can(user, "referrals.assign_to_self")
                and referral.assigned_to_id != user.pk,
                "assign_others": roles.can(user, "referrals.assign_to_others"),
                "unassign": referral.assigned_to_id is not None
                and (
                    roles.can(user, "referrals.assign_to_others")
                    or (
                        referral.assigned_to_id == user.pk
                        and roles.can(user, "referrals.assign_to_self")
                    )
                ),
                "change_priority": roles.can(user, "referrals.change_status")
                and referral.status not in workflow.CLOSING,
                "attach": roles.can(user, "referrals.record_referral"),
                "download": roles.can(user, "referrals.download_attachment"),
                "retain": roles.can(user, "referrals.retain_referral")
                and referral.status in workflow.CLOSING,
            },
            "expires_at": retention.expires_at(referral),
            "attachments": attachment_selectors.listed(referral),
            **forms_,
        }
        return TemplateResponse(
            request, "admin/referrals/referral/case.html", context, status=status
        )

    def _post(self, request, pk, permission):
        if request.method != "POST":
            raise Http404
        referral = self._referral(request, pk)
        if not roles.can(request.user, permission):
            raise PermissionDenied
        return referral

    def _back(self, referral):
        return redirect(reverse("staff:referrals_referral_change", args=[referral.pk]))

    @staticmethod
    def _refused(form, field, error):
        form.add_error(field, str(error))

    @method_decorator(sensitive_post_parameters("reason"))
    def reveal_view(self, request, pk):
        referral = self._post(request, pk, "referrals.reveal_reporter")
        form = RevealForm(request.POST)
        if form.is_valid():
            try:
                reporter = casework.reveal_reporter(
                    referral=referral,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except casework.CaseworkError as refused:
                self._refused(form, "reason", refused)
            else:
                # Shown in this one response: never stored, never in a redirect.
                response = self._case(request, referral, reporter=reporter)
                response["Cache-Control"] = "no-store"
                return response
        return self._case(request, referral, forms_with_errors={"reveal_form": form}, status=400)

    def unassign_view(self, request, pk):
        referral = self._post(request, pk, "referrals.assign_to_self")
        if referral.purged_at is not None:
            return self._purged(request, referral, refused=True)
        if referral.assigned_to_id is None:
            return self._back(referral)
        try:
            casework.unassign(referral=referral, by=request.user, request=request)
        except casework.CaseworkError as refused:
            messages.error(request, str(refused))
            return self._back(referral)
        messages.success(request, "The referral is back in the queue, assigned to nobody.")
        return self._back(referral)

    def print_view(self, request, pk):
        """A case summary to print for a Channel panel or MASH meeting: marked, the reporter
        redacted, audited as an export."""
        referral = self._referral(request, pk)
        if referral.purged_at is not None:
            raise Http404
        try:
            content = casework.print_summary(referral=referral, by=request.user, request=request)
            notes = casework.read_notes(referral=referral, by=request.user)
            corrections = casework.read_corrections(referral=referral, by=request.user)
        except sealing.SealingError as error:
            return self._cannot_open(request, referral, error)
        content_slugs = tuple(s.slug for s in journey.STEPS if s.slug not in REPORTER_STEPS)
        context = {
            "referral": referral,
            "summary": case_summary.summarise(referral, content),
            # A corrected answer is never printed without its correction.
            "sections": case_summary.sections(content, content_slugs, corrections),
            "notes": notes,
            "printed_by": request.user.get_full_name() or request.user.get_username(),
            "printed_at": timezone.localtime(),
        }
        response = TemplateResponse(request, "admin/referrals/referral/print.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def next_view(self, request):
        """The next unassigned case in queue order, after the one just looked at."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        after = request.GET.get("after", "")
        found = selectors.next_unassigned(besides=int(after) if after.isdigit() else None)
        if found is None:
            messages.info(request, "No unassigned referral is waiting for triage.")
            return redirect(reverse("staff:referrals_referral_changelist"))
        return redirect(reverse("staff:referrals_referral_change", args=[found.pk]))


def _history(referral: Referral) -> list[tuple[str, str]]:
    """Everything that happened to the case, from the audit trail, as sentences."""
    events = list(AuditEvent.objects.filter(reference=referral.reference).order_by("at", "id"))
    names = audit_log.names_for(events)
    return [
        (timezone.localtime(e.at).strftime("%-d %b %Y %H:%M"), audit_log.sentence(e, names))
        for e in events
    ]
