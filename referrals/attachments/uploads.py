"""The only way this site reads an uploaded file: sealed as it arrives, never written to disk.

SealingUploadHandler is every request's upload handler (settings.FILE_UPLOAD_HANDLERS), so not
even a middleware that reads a form before the view can make Django spool a file to a
temporary file in clear. Each file is checked by its content as it streams in (file_types) and
sealed chunk by chunk (sealing.FileSealer); what reaches the view is a SealedUpload: the sealed
chunks, or the reason it was refused. Plaintext is held one chunk at a time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.files.uploadhandler import FileUploadHandler

from .. import sealing
from .file_types import Inspector, Refused

MAX_FILES = 5


@dataclass
class SealedUpload:
    """What the view receives for one file field: sealed, or refused with the reason."""

    field_name: str
    public_id: uuid.UUID
    claimed_name: str
    chunks: list[bytes] = field(default_factory=list, repr=False)
    key_envelope: bytes = field(default=b"", repr=False)
    size: int = 0
    kind: str = ""
    refused: str = ""

    # What Django's upload machinery asks of a file object.
    @property
    def name(self) -> str:
        return self.claimed_name

    def close(self) -> None:
        self.chunks = []


class SealingUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.files = 0
        self.upload: SealedUpload | None = None
        self.sealer: sealing.FileSealer | None = None
        self.inspector = Inspector()

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, *args):
        super().new_file(field_name, file_name, content_type, content_length, charset, *args)
        self.files += 1
        public_id = uuid.uuid4()
        self.upload = SealedUpload(field_name, public_id, file_name or "")
        self.inspector = Inspector()
        self.sealer = None
        if self.files > MAX_FILES:
            self.upload.refused = f"Attach up to {MAX_FILES} files at a time"
            return
        self.sealer = sealing.FileSealer(context=f"attachment:{public_id}:file")

    def receive_data_chunk(self, raw_data, start):
        upload = self.upload
        if upload is None or upload.refused:
            return None  # read to the end and dropped: the rest of the form still arrives
        try:
            self.inspector.feed(raw_data)
        except Refused as refused:
            self._refuse(str(refused))
            return None
        assert self.sealer is not None
        upload.chunks += self.sealer.update(raw_data)
        return None

    def file_complete(self, file_size):
        upload = self.upload
        if upload is None:
            return None
        if not upload.refused and self.sealer is not None:
            try:
                upload.kind = self.inspector.kind(upload.claimed_name)
            except Refused as refused:
                self._refuse(str(refused))
            else:
                upload.chunks.append(self.sealer.finish())
                upload.key_envelope = self.sealer.key_envelope
                upload.size = self.inspector.size
        self.sealer = None
        return upload

    def _refuse(self, reason: str) -> None:
        assert self.upload is not None
        self.upload.refused = reason
        self.upload.chunks = []
        self.sealer = None
