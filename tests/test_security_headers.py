"""Security headers on every response, and no third-party resources in any page."""

import os
import re
import secrets
from pathlib import Path

import pytest
from django.urls import reverse

from safer_derbyshire.pages import PAGES

from .servers import run_manage

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def test_public_page_sends_the_security_headers(client):
    response = client.get(reverse("home"))

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]+'", csp)
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_inline_script_carries_this_responses_nonce(client):
    response = client.get(reverse("home"))

    nonce = re.search(r"'nonce-([\w-]+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline, "the js-enabled body script should be present"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline)


def test_hsts_and_secure_cookies_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get(reverse("home"), secure=True)

    assert response["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"


def test_production_defaults_make_cookies_secure_httponly_and_host_prefixed(settings):
    # These come from the production defaults (DEBUG off) that the test run uses.
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_NAME.startswith("__Host-")
    assert settings.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")


RESOURCE_URL = re.compile(
    r"""(?:<(?:script|img|iframe|source|audio|video|embed)[^>]*\ssrc|<link[^>]*\shref)\s*=\s*["']([^"']+)""",
    re.IGNORECASE,
)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.url_name)
def test_no_page_loads_anything_from_another_host(client, page):
    html = client.get(reverse(page.url_name)).content.decode()

    resources = RESOURCE_URL.findall(html)
    assert resources, "expected the stylesheet and script at least"
    assert [url for url in resources if not url.startswith("/")] == []


def test_compiled_stylesheet_loads_nothing_from_another_host():
    css = (ROOT / "static/dist/safer-derbyshire.css").read_text()

    urls = re.findall(r"url\(([^)]*)\)", css)
    assert [u for u in urls if "//" in u] == []
    assert "GDS Transport" not in css  # this is not a GOV.UK service


def _production_env(**overrides):
    from referrals import sealing

    public_key, _ = sealing.generate_key_pair("prod-1")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "SECURE_", "SEALING_", "STAFF_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")
        )
    }
    env.update(
        DJANGO_IGNORE_DOTENV="1",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="prevent.saferderbyshire.example",
        CSRF_TRUSTED_ORIGINS="https://prevent.saferderbyshire.example",
        SEALING_PUBLIC_KEYS=public_key,
        SEALING_PUBLIC_ONLY="1",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/unused.sqlite3"),
        **overrides,
    )
    return env


def test_check_deploy_is_clean_in_production():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
