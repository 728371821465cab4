"""Files attached to a referral: sealed as they arrive (no clear copy on disk or in the
database), checked by content, downloaded to the same bytes as an attachment with safe headers,
audited; purged with the details; re-sealed by key rotation; refused clearly when hostile."""

import io
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from referrals import rotation, sealing
from referrals.models import Attachment, AttachmentChunk, AuditAction, AuditEvent

from .samples import HTML, PDF, PNG, SVG
from .staff import case_url, sign_in, submit

pytestmark = pytest.mark.django_db

MARKER = b"ATTACHMENT-MARKER-7Q"


def _pdf(size=200_000):
    body = PDF + MARKER + os.urandom(max(0, size - len(PDF) - len(MARKER)))
    return body


def _attach(client, referral, name, data):
    return client.post(
        case_url(referral, "attach"), {"file": SimpleUploadedFile(name, data, "application/pdf")}
    )


@pytest.fixture
def signed_in(client, officer):
    sign_in(client, officer)
    return officer


def test_an_officer_attaches_a_pdf_and_downloads_the_same_bytes(client, signed_in):
    referral = submit()
    data = _pdf()

    answer = _attach(client, referral, "referral form.pdf", data)

    assert answer.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.size) == ("pdf", len(data))
    download = client.get(case_url(referral, "download", attachment.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert "no-store" in download["Cache-Control"]
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("id"))
    assert actions[-2:] == [AuditAction.ATTACHED, AuditAction.DOWNLOADED]
    out = io.StringIO()
    call_command("verify_audit", stdout=out)  # the new events are links of the same chain
    assert "intact" in out.getvalue().lower()


def test_the_file_is_nowhere_in_the_database_in_clear(client, signed_in):
    referral = submit()
    _attach(client, referral, "form.pdf", _pdf())

    stored = b"".join(bytes(c) for c in AttachmentChunk.objects.values_list("data", flat=True))
    attachment = Attachment.objects.get()
    assert MARKER not in stored
    assert b"form.pdf" not in bytes(attachment.name_envelope)
    assert MARKER not in bytes(attachment.key_envelope)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("form.pdf", PNG, "The file is a PNG image but its name ends .pdf"),
        ("form.pdf", HTML, "The file must be a PDF, Word (DOCX)"),
        ("drawing.svg", SVG, "The file must be a PDF, Word (DOCX)"),
        ("empty.pdf", b"", "The file is empty"),
        ("big.pdf", PDF + bytes(10 * 1024 * 1024 - len(PDF) + 1), "smaller than 10 MB"),
    ],
)
def test_a_hostile_or_wrong_file_is_refused_clearly_and_nothing_is_stored(
    client, signed_in, name, data, message
):
    referral = submit()

    answer = _attach(client, referral, name, data)

    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert not Attachment.objects.exists()
    assert not AttachmentChunk.objects.exists()


def test_a_name_with_a_path_and_control_characters_is_kept_only_as_a_plain_name(client, signed_in):
    """Django reduces an uploaded file's name to its last part and drops unprintable
    characters before any handler sees it; what is stored and sent back is that plain name."""
    from referrals.attachments import services

    referral = submit()
    _attach(client, referral, "..\\..\\etc/form\x07\x1b.pdf", _pdf())

    attachment = Attachment.objects.get()
    assert services.name_of(attachment) == "form.pdf"
    download = client.get(case_url(referral, "download", attachment.pk))
    assert download["Content-Disposition"].startswith('attachment; filename="form.pdf";')


def test_a_docx_zip_bomb_is_refused(client, signed_in):
    from .samples import zipped

    bomb = zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": b"\x00" * (150 << 20)})
    referral = submit()

    answer = _attach(client, referral, "bomb.docx", bomb)

    assert "would expand to far more than its size" in answer.content.decode()
    assert not Attachment.objects.exists()


def test_a_sixth_file_is_refused(client, signed_in):
    referral = submit()
    for number in range(5):
        assert _attach(client, referral, f"page {number}.pdf", _pdf(2000)).status_code == 302

    answer = _attach(client, referral, "page 6.pdf", _pdf(2000))

    assert "A referral can have up to 5 files" in answer.content.decode()
    assert Attachment.objects.count() == 5


def test_purge_deletes_the_files_with_the_details(client, signed_in):
    from django.utils import timezone

    from referrals import retention

    referral = submit()
    _attach(client, referral, "form.pdf", _pdf())
    type(referral).objects.filter(pk=referral.pk).update(
        status="closed_nfa", closed_at=timezone.now()
    )
    referral.refresh_from_db()

    retention.purge(referral)

    assert not Attachment.objects.exists()
    assert not AttachmentChunk.objects.exists()


def test_rotation_re_seals_the_file_key_and_the_download_still_opens(
    client, signed_in, settings, key_pair
):
    referral = submit()
    data = _pdf()
    _attach(client, referral, "form.pdf", data)
    key_b = sealing.generate_key_pair("test-b")
    settings.SEALING_PUBLIC_KEYS = [key_b[0], key_pair[0]]
    settings.SEALING_PRIVATE_KEYS = [key_b[1], key_pair[1]]

    rotation.rotate()

    settings.SEALING_PUBLIC_KEYS, settings.SEALING_PRIVATE_KEYS = [key_b[0]], [key_b[1]]
    attachment = Attachment.objects.get()
    assert sealing.key_id_of(bytes(attachment.key_envelope)) == "test-b"
    download = client.get(case_url(referral, "download", attachment.pk))
    assert b"".join(download.streaming_content) == data


def test_account_administrators_can_neither_attach_nor_download(client, officer, account_admin):
    referral = submit()
    sign_in(client, officer)
    _attach(client, referral, "form.pdf", _pdf())
    attachment = Attachment.objects.get()
    client.logout()
    sign_in(client, account_admin)

    assert _attach(client, referral, "more.pdf", _pdf()).status_code == 403
    assert client.get(case_url(referral, "download", attachment.pk)).status_code == 403


def test_the_download_name_is_safe_whatever_was_uploaded(client, signed_in):
    referral = submit()
    _attach(client, referral, 'Referral "form" - Zoë.pdf', _pdf())
    attachment = Attachment.objects.get()

    download = client.get(case_url(referral, "download", attachment.pk))

    disposition = download["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="[A-Za-z0-9 ._-]+"; filename\*=UTF-8\'\'\S+', disposition
    )
    assert "Zo%C3%AB" in disposition


@pytest.mark.django_db(transaction=True)
def test_an_attached_file_is_nowhere_in_clear_in_a_dump_the_data_directory_or_the_logs(
    client, officer, tmp_path, caplog
):
    from pathlib import Path

    from django.db import connection

    from .dumps import full_dump

    sign_in(client, officer)
    referral = submit()
    name_marker = "NAME-MARKER-4K"
    with caplog.at_level("DEBUG"):
        answer = _attach(client, referral, f"{name_marker}.pdf", _pdf())
        download = client.get(case_url(referral, "download", Attachment.objects.get().pk))
        assert MARKER in b"".join(download.streaming_content)  # the file is really there
    assert answer.status_code == 302

    dump = full_dump(tmp_path)
    assert referral.reference.encode() in dump
    assert MARKER not in dump and name_marker.encode() not in dump
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert MARKER.decode() not in logged and name_marker not in logged
    cluster = os.environ.get("PG_CLUSTER_DIR")
    if connection.vendor == "postgresql" and cluster:
        for path in Path(cluster).rglob("*"):
            if path.is_file() and path.stat().st_size < 64 * 1024 * 1024:
                raw = path.read_bytes()
                assert MARKER not in raw and name_marker.encode() not in raw, path
