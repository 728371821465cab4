"""What a file is, decided from its bytes as they stream in, never from its name or the type
the browser claims; and the refusals, in words an officer can act on.

Allowed: PDF, Word (DOCX), OpenDocument text (ODT), an email saved as a file (EML), PNG and
JPEG, up to MAX_BYTES. DOCX and ODT are zip archives: their directory, at the end of the file,
is read for the parts each must have and for what they would expand to, and a file that would
expand far beyond its size (a "zip bomb") is refused without anything being expanded.
"""

from __future__ import annotations

import re
import struct
from collections import deque
from dataclasses import dataclass, field

MAX_BYTES = 10 * 1024 * 1024
HEAD_BYTES = 8 * 1024
# A zip's directory sits at its end; a document's is a few kilobytes.
TAIL_BYTES = 1024 * 1024
# What a zip may expand to: in all, and as a multiple of its size.
MAX_EXPANDED = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 5_000

NAMES = {
    "pdf": "a PDF",
    "docx": "a Word document (DOCX)",
    "odt": "an OpenDocument text file (ODT)",
    "eml": "an email saved as a file (EML)",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
}
EXTENSIONS = {
    "pdf": ("pdf",),
    "docx": ("docx",),
    "odt": ("odt",),
    "eml": ("eml",),
    "png": ("png",),
    "jpeg": ("jpg", "jpeg"),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "eml": "message/rfc822",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
ALLOWED_WORDS = "PDF, Word (DOCX), OpenDocument (ODT), a saved email (EML), PNG or JPEG"

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
_HEADER_LINE = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9-]*:[ \t]")
_EMAIL_HEADERS = (b"from:", b"date:", b"subject:", b"to:", b"message-id:", b"received:")


class Refused(ValueError):
    """The file cannot be attached; the message says why, for the officer."""


@dataclass
class Inspector:
    """Feed the file's bytes in order; then `kind(name)` says what it is or refuses it."""

    head: bytearray = field(default_factory=bytearray)
    # The newest pieces, at least TAIL_BYTES of them, joined only when asked for.
    pieces: deque = field(default_factory=deque)
    held: int = 0
    size: int = 0

    def feed(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > MAX_BYTES:
            raise Refused(f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB")
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
        self.pieces.append(data)
        self.held += len(data)
        while self.held - len(self.pieces[0]) >= TAIL_BYTES:
            self.held -= len(self.pieces.popleft())

    @property
    def tail(self) -> bytes:
        return b"".join(self.pieces)[-TAIL_BYTES:]

    def kind(self, name: str) -> str:
        check_name(name)
        if self.size == 0:
            raise Refused("The file is empty")
        found = _sniff(bytes(self.head), self.tail, self.size)
        if found is None:
            raise Refused(f"The file must be a {ALLOWED_WORDS}")
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in EXTENSIONS[found]:
            raise Refused(
                f"The file is {NAMES[found]} but its name ends .{extension or '(nothing)'}: "
                f"rename it to end .{EXTENSIONS[found][0]}, or choose the file you meant"
            )
        return found


def check_name(name: str) -> None:
    if not name or len(name) > 200:
        raise Refused("The file name must be between 1 and 200 characters")
    if _UNSAFE_NAME.search(name) or name.strip(". ") == "":
        raise Refused("The file name must not contain slashes or unusual characters")


def _sniff(head: bytes, tail: bytes, size: int) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _office_document(head, tail, size)
    if _looks_like_email(head):
        return "eml"
    return None


def _looks_like_email(head: bytes) -> bool:
    """Header lines ("Name: value"), at least one a message would have, then a blank line; no
    markup and no NUL bytes, so an HTML or SVG file is not taken for an email."""
    if b"\x00" in head:
        return False
    lowered = head.lower()
    if b"<html" in lowered or b"<svg" in lowered or b"<!doctype" in lowered or b"<?xml" in lowered:
        return False
    header_block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    lines = [line for line in re.split(rb"\r?\n", header_block) if line]
    if not lines or not _HEADER_LINE.match(lines[0]):
        return False
    names = {line.split(b":", 1)[0].lower() + b":" for line in lines if _HEADER_LINE.match(line)}
    return any(header in names for header in _EMAIL_HEADERS)


def _office_document(head: bytes, tail: bytes, size: int) -> str:
    """DOCX or ODT from the zip's directory, read from the tail; refused if the directory is
    damaged, out of reach, or promises far more than the file holds."""
    entries = _zip_directory(tail, size)
    names = {name for name, _, _ in entries}
    expanded = sum(uncompressed for _, _, uncompressed in entries)
    if expanded > MAX_EXPANDED or expanded > MAX_RATIO * size:
        raise Refused("The document would expand to far more than its size, as a harmful file does")
    for _, compressed, uncompressed in entries:
        if compressed and uncompressed > MAX_RATIO * compressed and uncompressed > 1024 * 1024:
            raise Refused(
                "The document would expand to far more than its size, as a harmful file does"
            )
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    mimetype = b"mimetype" + b"application/vnd.oasis.opendocument.text"
    if head[30 : 30 + len(mimetype)] == mimetype and "content.xml" in names:
        return "odt"
    raise Refused(f"The file is a zip archive, not a document: it must be a {ALLOWED_WORDS}")


_EOCD = b"PK\x05\x06"
_CENTRAL = b"PK\x01\x02"


def _zip_directory(tail: bytes, size: int) -> list[tuple[str, int, int]]:
    """(name, compressed size, uncompressed size) of each entry, from the central directory."""
    damaged = Refused("The document is damaged and cannot be checked")
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise damaged
    (entries, directory_size, directory_offset) = struct.unpack_from("<xxxxxxHIIxx", tail, at + 4)
    if 0xFFFF in (entries,) or 0xFFFFFFFF in (directory_size, directory_offset):
        raise Refused("The document is too large a kind of archive (ZIP64) to be checked")
    if entries > MAX_ENTRIES:  # before reading any of them
        raise Refused("The document has too many parts to be checked safely")
    start = len(tail) - (size - directory_offset)
    if directory_offset + directory_size > size or start < 0:
        raise damaged
    found = []
    position = start
    for _ in range(entries):
        if tail[position : position + 4] != _CENTRAL or position + 46 > len(tail):
            raise damaged
        compressed, uncompressed, name_len, extra_len, comment_len = struct.unpack_from(
            "<IIHHH", tail, position + 20
        )
        name = tail[position + 46 : position + 46 + name_len].decode("utf-8", "replace")
        found.append((name, compressed, uncompressed))
        position += 46 + name_len + extra_len + comment_len
    return found
