"""System checks for the sealing keyring, run by `manage.py check` and at server start."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import sealing


@register("sealing", deploy=False)
def check_keyring(app_configs=None, **kwargs):
    try:
        keyring = sealing.load_keyring(settings.SEALING_PUBLIC_KEYS, settings.SEALING_PRIVATE_KEYS)
    except sealing.KeyringError as exc:
        return [Error(str(exc), hint="See docs/keys.md.", id="referrals.E002")]
    issues = []
    if not keyring.keys:
        issues.append(
            Error(
                "No public sealing key is configured, so referrals cannot be stored.",
                hint="Set SEALING_PUBLIC_KEYS (manage.py generate_keys; see docs/keys.md).",
                id="referrals.E001",
            )
        )
    if settings.SEALING_PUBLIC_ONLY and keyring.can_open:
        issues.append(
            Warning(
                "Private sealing keys are configured on a deployment marked public-only.",
                hint="Remove SEALING_PRIVATE_KEYS from the public intake site: if it is "
                "compromised, every referral could be read.",
                id="referrals.W001",
            )
        )
    return issues


@register("sealing", deploy=False)
def check_staff_secrets_keys(app_configs=None, **kwargs):
    try:
        keyring = sealing.load_secret_keyring(settings.STAFF_SECRETS_KEYS)
    except sealing.KeyringError as exc:
        return [Error(str(exc), hint="See docs/keys.md.", id="referrals.E003")]
    if settings.SEALING_PUBLIC_ONLY and keyring.keys:
        return [
            Warning(
                "STAFF_SECRETS_KEYS is set on a deployment marked public-only.",
                hint="Remove it from the public intake site: with it and a database dump, "
                "anyone could make valid staff sign-in codes.",
                id="referrals.W002",
            )
        ]
    if not settings.SEALING_PUBLIC_ONLY and settings.SEALING_PRIVATE_KEYS and not keyring.keys:
        return [
            Error(
                "No staff secrets key is configured, so staff cannot set up two-factor.",
                hint="Set STAFF_SECRETS_KEYS on the triage deployment (manage.py generate_keys "
                "--staff-secrets; see docs/keys.md).",
                id="referrals.E004",
            )
        ]
    return []


OIDC_REQUIRED = (
    "OIDC_OP_ISSUER",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)


@register("security", deploy=False)
def check_oidc(app_configs=None, **kwargs):
    """Sign-in through the provider, switched on, must know where the provider is."""
    if not settings.OIDC_ENABLED:
        return []
    missing = [name for name in OIDC_REQUIRED if not getattr(settings, name)]
    if missing:
        return [
            Error(
                f"OIDC_ENABLED is on but these are not set: {', '.join(missing)}.",
                hint="See docs/deployment.md, 'Staff sign-in through your identity provider'.",
                id="referrals.E012",
            )
        ]
    insecure = [
        name
        for name in OIDC_REQUIRED
        if name.endswith("ENDPOINT") or name == "OIDC_OP_ISSUER"
        if not str(getattr(settings, name)).startswith("https://") and not settings.DEBUG
    ]
    if insecure and not settings.OIDC_ALLOW_HTTP:
        return [
            Error(
                f"{', '.join(insecure)} must use https.",
                hint="Only a provider the tests start may use plain http (OIDC_ALLOW_HTTP).",
                id="referrals.E013",
            )
        ]
    return []
