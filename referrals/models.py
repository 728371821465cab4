"""Referral data. Sealed columns hold envelopes only; clear columns hold what the queue sorts on.

Models never open envelopes: opening is an explicit, audited service call.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .choices import AgeBand, Channel, District, Priority, ReporterType, Sector
from .workflow import CLOSING, Status

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V: easy to read aloud over the phone.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTWXY3479"


def new_reference() -> str:
    """12 random characters (about 53 bits) in groups of four, e.g. 'K7QH-3MXA-T9RC'."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


class EnvelopeField(models.BinaryField):
    """A column holding one sealed envelope (referrals/sealing.py). Never opened implicitly."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


class Referral(models.Model):
    # Each sealed field and the part of the context that names it.
    SEALED_FIELDS = {
        "content_envelope": "content",
        "reporter_envelope": "reporter",
        "retain_reason_envelope": "retain-reason",
    }

    reference = models.CharField(max_length=14, unique=True, default=new_reference, editable=False)
    # When the team received it: the send for the online form; for a referral an officer
    # records, when the call, email or letter came in. Triage is due from then.
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    channel = models.CharField(
        max_length=20, choices=Channel.choices, default=Channel.WEB, db_default=Channel.WEB
    )
    # The officer who recorded a referral that did not come through the online form.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recorded_referrals",
    )
    # Clear metadata the queue sorts and filters on, and the statistics count. Coarse by design.
    status = models.CharField(max_length=40, choices=Status.choices, default=Status.RECEIVED)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    district = models.CharField(max_length=30, choices=District.choices)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices)
    under_18 = models.BooleanField(default=False)
    reporter_type = models.CharField(max_length=20, choices=ReporterType.choices)
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    # The kinds of concern the reporter ticked (their view; the police decide the category),
    # as ",islamist,mixed,": a clear column for the queue's summary, its filter and the
    # statistics, from a checkbox answer, never from free text.
    concern_types = models.CharField(max_length=200, blank=True, default="", db_default="")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # Staff accounts are deactivated, never deleted: the audit trail names them.
        on_delete=models.PROTECT,
        related_name="assigned_referrals",
    )
    due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Emptied when retention ends (referrals/retention.py); the clear columns stay for statistics.
    content_envelope = EnvelopeField(null=True, blank=True)
    reporter_envelope = EnvelopeField(null=True, blank=True)
    # A supervisor's recorded decision to keep a case past its retention date, until a review.
    retain_until = models.DateField(null=True, blank=True)
    retain_reason_envelope = EnvelopeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    # The reporter wrote through their reply code and no one has answered since (mailbox.py).
    reporter_replied_at = models.DateTimeField(null=True, blank=True)
    # Left on the tombstone when the thread is purged with the details: how many, never what.
    purged_message_count = models.PositiveIntegerField(default=0, db_default=0)
    # SHA-256 of the journey's send token: a second press, or a resend after a lost response,
    # finds the referral already stored and is shown its reference instead of storing another.
    send_key = models.BinaryField(null=True, blank=True, unique=True, editable=False)
    # The staff secrets key id its identity tokens were made under (identity_index.py).
    indexed_key_id = models.CharField(max_length=40, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The queue shows open cases by default: a few among many closed ones over the
            # years. This keeps its page and count from scanning the closed ones.
            models.Index(
                fields=["-received_at"],
                name="referral_open_cases",
                condition=~models.Q(status__in=sorted(CLOSING)),
            ),
        ]
        permissions = [
            ("open_referral", "Can open a referral's sealed content"),
            ("change_status", "Can move a referral through the workflow"),
            ("assign_to_self", "Can assign a referral to themself"),
            ("assign_to_others", "Can assign a referral to any Prevent officer"),
            ("add_case_note", "Can add a case note"),
            ("reveal_reporter", "Can reveal a reporter's identity, with a reason"),
            ("retain_referral", "Can keep a referral past its retention date, with a reason"),
            ("view_statistics", "Can see referral statistics"),
            ("record_referral", "Can record a referral that came by phone, email or post"),
        ]

    def __str__(self) -> str:
        # Only the reference: admin LogEntry and error reports use this.
        return self.reference

    def __repr__(self) -> str:
        return f"<Referral {self.reference}>"

    def concern_kinds(self) -> list[str]:
        return [kind for kind in self.concern_types.split(",") if kind]

    def envelope_context(self, field: str) -> str:
        """The context bound into an envelope: which record and which field."""
        return f"referral:{self.reference}:{self.SEALED_FIELDS[field]}"


class IdentityToken(models.Model):
    """One keyed blind-index token of a referral's identifying answers (identity_index.py):
    equal tokens mean "possibly the same person". Meaningless without the triage-only key."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="identity_tokens")
    kind = models.CharField(max_length=20)
    token = models.BinaryField(max_length=32, db_index=True)
    key_id = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"{self.kind} token"


class Attachment(models.Model):
    """A file a referral came in (an email, a scanned form), sealed as it streamed in
    (sealing.FileSealer): its chunks in AttachmentChunk, its file key and its name each sealed
    to the team key. The kind and size are clear; they say nothing about anyone."""

    SEALED_FIELDS = {"key_envelope": "file-key", "name_envelope": "name"}

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Empty while the referral it came with is still being recorded: held by the record
    # page's send key (a hash of its token) until then, and forgotten after a day if never.
    referral = models.ForeignKey(
        Referral, null=True, on_delete=models.CASCADE, related_name="attachments"
    )
    pending_key = models.BinaryField(null=True, blank=True, editable=False)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    chunk_count = models.PositiveIntegerField()
    key_envelope = EnvelopeField()
    name_envelope = EnvelopeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        permissions = [("download_attachment", "Can download a referral's attached files")]

    def __str__(self) -> str:
        return f"{self.kind} attachment"

    @property
    def file_context(self) -> str:
        return f"attachment:{self.public_id}:file"

    def envelope_context(self, field: str) -> str:
        # The file key's context is the one FileSealer sealed it under.
        if field == "key_envelope":
            return f"{self.file_context}:file-key"
        return f"attachment:{self.public_id}:{self.SEALED_FIELDS[field]}"


class AttachmentChunk(models.Model):
    """One sealed chunk of an attachment, in order."""

    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attachment", "index"], name="one_chunk_per_place")
        ]

    def __str__(self) -> str:
        return f"chunk {self.index}"


class RecordDraft(models.Model):
    """What an officer had typed on "Record a referral" when their session ended under them,
    sealed, until they sign in again (referrals/staff_intake): one per officer, for a day."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="record_draft"
    )
    SEALED_FIELDS = {"envelope": "draft"}

    envelope = EnvelopeField()
    saved_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return "a kept record draft"

    def envelope_context(self, field: str = "envelope") -> str:
        return f"record-draft:{self.user_id}"


class JourneyDraft(models.Model):
    """A half-finished referral as ciphertext whose key only the reporter's browser holds."""

    id = models.CharField(primary_key=True, max_length=64, editable=False)
    ciphertext = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return "journey draft"


class SubmissionAttempt(models.Model):
    """One use of a rate-limited action, by a client whose address is stored only as a keyed
    hash. Kept in the database so every app container sees the same counts."""

    action = models.CharField(max_length=20)
    client_hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["action", "client_hash", "at"])]

    def __str__(self) -> str:
        return f"{self.action} attempt"


class ReplyCodeFailure(models.Model):
    """A wrong reply code, or a try refused over the limit, as the public side records it: it
    may add rows (through a SECURITY DEFINER function) but never read them. The worker turns
    them into audit events (referrals/guessing.py) and deletes them. Never the code typed."""

    class Outcome(models.TextChoices):
        WRONG = "wrong", "Wrong code"
        REFUSED = "refused", "Refused over the limit"

    at = models.DateTimeField(default=timezone.now)
    # Blank when no referral has that reference: what strangers type is not kept.
    reference = models.CharField(max_length=14, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    client_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"reply code {self.outcome}"


class ReplyMailbox(models.Model):
    """What opens a referral's messages is the reporter's reply code, which is never stored:
    only a salt for deriving keys from it, the public key it derives, and a verifier."""

    referral = models.OneToOneField(
        Referral, primary_key=True, on_delete=models.CASCADE, related_name="mailbox"
    )
    salt = models.BinaryField()
    public_key = models.BinaryField()
    verifier = models.BinaryField()

    def __str__(self) -> str:
        return "reply mailbox"


class MailboxMessage(models.Model):
    """One message between the team and the reporter, sealed twice: to the team's key for the
    case record, and to the reporter's code-derived key for them to read."""

    class Sender(models.TextChoices):
        TEAM = "team", "Prevent team"
        REPORTER = "reporter", "Person who made the referral"

    id = models.UUIDField(primary_key=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    team_envelope = EnvelopeField()
    reporter_envelope = EnvelopeField()
    # The reply form's own id: a double press or a refresh stores one message.
    nonce = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "nonce"],
                condition=~models.Q(nonce=""),
                name="one_message_per_form",
            )
        ]

    def __str__(self) -> str:
        return f"message from the {self.sender}"


class WorkerHeartbeat(models.Model):
    """When each task worker last polled the queue, so the staff site can say when
    notifications have stopped going out (referrals/worker.py)."""

    worker_id = models.CharField(primary_key=True, max_length=64)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "worker heartbeat"


class CaseNote(models.Model):
    """An officer's note on a case: sealed text, author and time in the clear. Append-only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    body_envelope = EnvelopeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"note on {self.referral_id}"

    SEALED_FIELDS = {"body_envelope": "note"}
    # Rotation reads the referral's reference for the context, in the same query.
    ENVELOPE_RELATED = ("referral",)

    def envelope_context(self, field: str = "body_envelope") -> str:
        """Bound to its referral and its own id: a note copied elsewhere will not open."""
        return f"referral:{self.referral.reference}:note:{self.id}"


def new_rights_reference() -> str:
    """'SAR-' and 8 characters from the reference alphabet, e.g. 'SAR-K7QH-3MXA': never
    mistaken for a referral's reference when read aloud or searched for."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"SAR-{chars[:4]}-{chars[4:]}"


class RightsRequest(models.Model):
    """A subject access or other rights request (referrals/rights): the kind, when it came, its
    calendar-month deadline and state in the clear; who asked, how they were identified, what
    they asked and every reason given, sealed. The requester's details are personal data too."""

    class Kind(models.TextChoices):
        ACCESS = "access", "Access (a copy of what is held)"
        RECTIFICATION = "rectification", "Rectification (correcting what is held)"
        ERASURE = "erasure", "Erasure (deleting what is held)"
        RESTRICTION = "restriction", "Restriction (limiting what is done with it)"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        WITHDRAWN = "withdrawn", "Withdrawn or not pursued"

    SEALED_FIELDS = {"envelope": "request"}

    reference = models.CharField(
        max_length=14, unique=True, default=new_rights_reference, editable=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    received_on = models.DateField()
    due_on = models.DateField()
    # Set once, with a sealed reason: two further months, as the law allows.
    extended_to = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    envelope = EnvelopeField()
    # SHA-256 of the record page's own token: a second press finds the request already made.
    send_key = models.BinaryField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        permissions = [
            ("handle_rights_request", "Can handle subject access and other rights requests")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def deadline(self):
        return self.extended_to or self.due_on

    def envelope_context(self, field: str = "envelope") -> str:
        return f"rights:{self.reference}:{self.SEALED_FIELDS[field]}"


class RightsMatch(models.Model):
    """A referral the handler confirmed is about the requester, with the review's choices
    sealed: items restored or redacted (each with its reason) and any exemption withholding
    the whole referral."""

    SEALED_FIELDS = {"choices_envelope": "choices"}

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="matches")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    choices_envelope = EnvelopeField()

    class Meta:
        ordering = ["confirmed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "referral"], name="one_match_per_referral")
        ]

    def __str__(self) -> str:
        return f"match for {self.request_id}"

    ENVELOPE_RELATED = ("request", "referral")

    def envelope_context(self, field: str = "choices_envelope") -> str:
        return f"rights:{self.request.reference}:{self.referral.reference}:choices"


class Disclosure(models.Model):
    """A bundle as released: the choices it was made from and when, sealed, so the same bundle
    can be made again later; never the bundle itself. The digest shows a re-made bundle is the
    one released."""

    SEALED_FIELDS = {"envelope": "disclosure"}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="disclosures")
    released_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    digest = models.CharField(max_length=64)
    envelope = EnvelopeField()

    class Meta:
        ordering = ["released_at", "id"]

    def __str__(self) -> str:
        return f"disclosure for {self.request_id}"

    ENVELOPE_RELATED = ("request",)

    def envelope_context(self, field: str = "envelope") -> str:
        return f"rights:{self.request.reference}:disclosure:{self.pk}"


class AnswerCorrection(models.Model):
    """A rectification: a dated correction shown beside an answer, which itself is kept (as
    the law allows, with the note). Which answer is clear; the correction is sealed."""

    SEALED_FIELDS = {"envelope": "correction"}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="corrections")
    request = models.ForeignKey(
        RightsRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step = models.CharField(max_length=30)
    field = models.CharField(max_length=40)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)
    envelope = EnvelopeField()

    class Meta:
        ordering = ["made_at"]

    def __str__(self) -> str:
        return f"correction to {self.step}.{self.field}"

    ENVELOPE_RELATED = ("referral",)

    def envelope_context(self, field: str = "envelope") -> str:
        return f"referral:{self.referral.reference}:correction:{self.id}"


class AuditAction(models.TextChoices):
    OPEN = "open", "Opened a referral"
    REVEAL = "reveal", "Revealed a reporter's identity"
    TRANSITION = "transition", "Changed a referral's status"
    ASSIGN = "assign", "Assigned a referral"
    PRIORITY = "priority", "Changed a referral's priority"
    READ_REASONS = "read_reasons", "Read reveal reasons in the audit log"
    EXPORT = "export", "Printed a case summary"
    NOTE = "note", "Added a case note"
    MESSAGE = "message", "Sent a message to the person who made a referral"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Failed to sign in"
    OIDC_REFUSED = "oidc_refused", "Refused a sign-in from the identity provider"
    LOGOUT = "logout", "Signed out"
    ACCOUNT_CHANGE = "account_change", "Changed a staff account"
    ACCOUNT_CREATED = "account_created", "Created a staff account"
    ROLE_CHANGED = "role_changed", "Changed a staff member's role"
    DEACTIVATED = "deactivated", "Deactivated a staff account"
    REACTIVATED = "reactivated", "Reactivated a staff account"
    TWO_FACTOR_RESET = "two_factor_reset", "Reset a staff member's two-factor"
    UNLOCKED = "unlocked", "Unlocked a staff account"
    LOCKED_OUT = "locked_out", "Locked out after failed attempts"
    PASSWORD_SET = "password_set", "Set a password from a link"
    PASSWORD_CHANGED = "password_changed", "Changed their password"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Set up two-factor"
    TWO_FACTOR_FAILED = "two_factor_failed", "Entered a wrong two-factor code"
    SESSION_EXPIRED = "session_expired", "Signed out by the session time limit"
    RETAINED = "retained", "Kept a referral past its retention date"
    PURGED = "purged", "Deleted a referral's details at the end of retention"
    REPLY_CODE_WRONG = "reply_code_wrong", "Wrong reply codes were tried"
    REPLY_CODE_LOCKED = "reply_code_locked", "Reply code tries were stopped at the limit"
    RECORDED = "recorded", "Recorded a referral that came by phone, email or post"
    ATTACHED = "attached", "Attached a file to a referral"
    DOWNLOADED = "downloaded", "Downloaded a file attached to a referral"
    RIGHTS_REQUEST = "rights_request", "Recorded a rights request"
    RIGHTS_SEARCH = "rights_search", "Searched for a requester's referrals"
    RIGHTS_CONFIRMED = "rights_confirmed", "Confirmed a referral is about a requester"
    RIGHTS_REVIEW = "rights_review", "Changed what a disclosure shows"
    RIGHTS_EXTENDED = "rights_extended", "Extended a rights request's deadline"
    BUNDLE_MADE = "bundle_made", "Made a disclosure bundle"
    BUNDLE_RELEASED = "bundle_released", "Released a disclosure bundle"
    RIGHTS_CLOSED = "rights_closed", "Closed a rights request"
    CORRECTED = "corrected", "Added a correction to a referral's answer"
    ERASED = "erased", "Agreed to erase a referral's details"


class AuditEvent(models.Model):
    """One append-only, hash-chained event (referrals/audit.py writes these; nothing else).

    Who, when and what: a reference and an action, never personal data. A reveal's reason is
    sealed, since staff may write names in it.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("who", max_length=150, blank=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices, db_index=True)
    reference = models.CharField(max_length=14, blank=True, db_index=True)
    detail = models.CharField(max_length=200, blank=True)
    sealed_detail = EnvelopeField(null=True, blank=True)
    client_hash = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.reference}".strip()
