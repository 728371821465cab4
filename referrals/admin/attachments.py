"""The files a referral came in, on its case view: attach one (officers and supervisors) and
download one (audited, as an attachment the browser never opens inline). HTTP only."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from referrals import roles
from referrals.attachments import services
from referrals.attachments.file_types import ALLOWED_WORDS, CONTENT_TYPES
from referrals.attachments.uploads import SealedUpload
from referrals.models import Attachment


class SealedFileField(forms.Field):
    widget = forms.FileInput

    def to_python(self, data):
        if data in (None, ""):
            return None
        if not isinstance(data, SealedUpload):
            raise ValidationError("Choose a file to attach")
        if data.refused:
            raise ValidationError(data.refused)
        return data


class AttachForm(forms.Form):
    file = SealedFileField(
        label="Attach the email or document it came in",
        help_text=f"{ALLOWED_WORDS}, up to 10 MB. It is sealed as it is uploaded.",
        error_messages={"required": "Choose a file to attach"},
    )


def safe_filename(name: str, kind: str) -> tuple[str, str]:
    """An ASCII name for old browsers and the full name for the rest (RFC 6266), with no
    quote, slash or control character to break out of the header."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = "".join(c if c.isalnum() or c in " ._-" else "_" for c in ascii_stem).strip()
    extension = {"jpeg": "jpg"}.get(kind, kind)
    plain = f"{ascii_stem or 'attachment'}.{extension}"
    full = "".join(c for c in f"{stem}.{extension}" if c.isprintable() and c not in '"\\/')
    return plain, quote(full, safe="")


class AttachmentViews:
    """For ReferralAdmin."""

    def attachment_urls(self, wrap) -> list:
        return [
            path("<int:pk>/attach/", wrap(self.attach_view), name="referrals_referral_attach"),
            path(
                "<int:pk>/attachments/<int:attachment_pk>/",
                wrap(self.download_view),
                name="referrals_referral_download",
            ),
        ]

    @staticmethod
    def can_attach(user) -> bool:
        return roles.can(user, "referrals.record_referral")

    def attach_view(self, request, pk):
        return require_POST(self._attach)(request, pk)

    def _attach(self, request, pk):
        referral = self._post(request, pk, "referrals.record_referral")
        form = AttachForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.attach(
                    referral=referral, upload=form.cleaned_data["file"], by=request.user
                )
            except services.NotAttached as refused:
                form.add_error("file", str(refused))
            else:
                messages.success(request, "File attached.")
                return self._back(referral)
        return self._case(request, referral, forms_with_errors={"attach_form": form}, status=200)

    def download_view(self, request, pk, attachment_pk):
        return require_GET(self._download)(request, pk, attachment_pk)

    def _download(self, request, pk, attachment_pk):
        if not roles.can(request.user, "referrals.download_attachment"):
            raise PermissionDenied
        referral = self._referral(request, pk)
        try:
            attachment = Attachment.objects.get(pk=attachment_pk, referral=referral)
        except Attachment.DoesNotExist as missing:
            raise Http404 from missing
        plain, full = safe_filename(services.name_of(attachment), attachment.kind)
        response = StreamingHttpResponse(
            services.download(attachment=attachment, by=request.user, request=request),
            content_type=CONTENT_TYPES[attachment.kind],
        )
        response["Content-Length"] = str(attachment.size)
        response["Content-Disposition"] = (
            f"attachment; filename=\"{plain}\"; filename*=UTF-8''{full}"
        )
        response["X-Content-Type-Options"] = "nosniff"
        # Should anything render it after all, it runs nothing and reaches nothing.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response["Cache-Control"] = "no-store"
        return response
