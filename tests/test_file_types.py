"""What an attachment is, from its bytes: the allowed kinds pass; a file whose contents do not
match its name, a web page or SVG, an empty or oversized file, a hostile name and a zip bomb are
refused in words an officer can act on, and nothing is expanded to find out."""

import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals.attachments.file_types import MAX_BYTES, Inspector, Refused

from .samples import DOCX, EML, HTML, JPEG, ODT, PDF, PNG, SVG, zipped


def _kind(data, name, pieces=7919):
    inspector = Inspector()
    for start in range(0, len(data), pieces):
        inspector.feed(data[start : start + pieces])
    return inspector.kind(name)


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (PDF, "referral form.pdf", "pdf"),
        (PNG, "screenshot.PNG", "png"),
        (JPEG, "photo.jpg", "jpeg"),
        (JPEG, "photo.jpeg", "jpeg"),
        (EML, "email from the school.eml", "eml"),
        (DOCX, "National Referral Form.docx", "docx"),
        (ODT, "referral.odt", "odt"),
    ],
)
def test_each_allowed_kind_is_known_by_its_contents(data, name, kind):
    assert _kind(data, name) == kind


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (PNG, "form.pdf", "The file is a PNG image but its name ends .pdf: rename it to end .png"),
        (HTML, "form.pdf", "The file must be a PDF, Word (DOCX), OpenDocument (ODT), a saved"),
        (SVG, "drawing.svg", "The file must be a PDF, Word (DOCX)"),
        (SVG, "drawing.png", "The file must be a PDF, Word (DOCX)"),
        (b"", "empty.pdf", "The file is empty"),
        (PDF, "../../etc/passwd.pdf", "The file name must not contain slashes"),
        (PDF, "form\x00.pdf", "The file name must not contain slashes"),
        (PDF, "C:\\Users\\form.pdf", "The file name must not contain slashes"),
        (PDF, "form\r\nSet-Cookie: x.pdf", "The file name must not contain slashes"),
        (PDF, "", "The file name must be between 1 and 200 characters"),
        (zipped({"notes.txt": "hello"}), "notes.docx", "The file is a zip archive, not a document"),
        (DOCX, "form.pdf", "The file is a Word document (DOCX) but its name ends .pdf"),
    ],
)
def test_what_is_not_allowed_is_refused_with_the_reason(data, name, message):
    with pytest.raises(Refused) as refused:
        _kind(data, name)

    assert str(refused.value).startswith(message)


def test_a_file_one_byte_over_the_limit_is_refused_as_it_arrives():
    inspector = Inspector()
    inspector.feed(b"%PDF-" + bytes(MAX_BYTES - 5))

    with pytest.raises(Refused, match="The file must be smaller than 10 MB"):
        inspector.feed(b"x")


def test_a_docx_zip_bomb_is_refused_from_its_directory_without_expanding_it(monkeypatch):
    bomb = zipped(
        {
            "[Content_Types].xml": "<Types/>",
            "word/document.xml": b"\x00" * (150 * 1024 * 1024),
        }
    )
    assert len(bomb) < 1024 * 1024  # a small file that claims 150 MB

    inflated = []
    monkeypatch.setattr(zlib, "decompressobj", lambda *a, **k: inflated.append(a))
    monkeypatch.setattr(zlib, "decompress", lambda *a, **k: inflated.append(a))
    with pytest.raises(Refused, match="would expand to far more than its size"):
        _kind(bomb, "bomb.docx")
    assert inflated == []  # read from its directory, nothing inflated


def test_a_damaged_archive_is_refused_not_crashed_on():
    cut = DOCX[: len(DOCX) - 30]

    with pytest.raises(Refused, match="damaged"):
        _kind(cut, "cut.docx")


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=4096), name=st.text(max_size=60))
def test_any_bytes_and_any_name_give_a_kind_or_a_reason_never_an_error(data, name):
    try:
        assert _kind(data, name, pieces=97) in {"pdf", "docx", "odt", "eml", "png", "jpeg"}
    except Refused as refused:
        assert str(refused)


@settings(max_examples=200, deadline=None)
@given(damage=st.binary(min_size=1, max_size=64), at=st.integers(0, 10_000))
def test_a_docx_damaged_anywhere_gives_a_kind_or_a_reason(damage, at):
    at %= len(DOCX)
    damaged = DOCX[:at] + damage + DOCX[at + len(damage) :]
    try:
        _kind(damaged, "damaged.docx")
    except Refused as refused:
        assert str(refused)
