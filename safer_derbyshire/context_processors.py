"""Template context every page needs: contact numbers and the service's configured names."""

from django.conf import settings

from . import contacts


def service(request):
    return {
        "contacts": contacts.as_context(),
        "data_controller_name": settings.DATA_CONTROLLER_NAME,
        "data_protection_contact": settings.DATA_PROTECTION_CONTACT,
        "phase": settings.PHASE,
        # How long a half-finished referral is kept, for the pages that promise it.
        "journey_hours": max(1, settings.JOURNEY_STATE_MAX_AGE // 3600),
        "sent_minutes": max(1, settings.SENT_PAGE_MAX_AGE // 60),
        # How long a deleted referral may still sit in an encrypted backup.
        "backup_days": settings.BACKUP_RETENTION_DAYS + settings.BACKUP_FULL_EVERY_DAYS,
    }
