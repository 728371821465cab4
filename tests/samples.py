"""Small files of each kind an officer may attach, and some they may not, for the tests."""

import io
import zipfile

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)
EML = (
    b"Received: from mail.example.org\r\nFrom: Head Teacher <head@example.sch.uk>\r\n"
    b"To: prevent@example.org\r\nSubject: A concern about a pupil\r\n"
    b"Date: Thu, 3 Dec 2026 16:55:00 +0000\r\n\r\nWe are worried about a pupil.\r\n"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'


def zipped(entries, *, first=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first[0]), first[1], compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped(
    {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": "<Relationships/>",
        "word/document.xml": "<w:document>We are worried.</w:document>",
    }
)
ODT = zipped(
    {"content.xml": "<office:document-content/>", "META-INF/manifest.xml": "<manifest/>"},
    first=("mimetype", b"application/vnd.oasis.opendocument.text"),
)
