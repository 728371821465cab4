"""Make the test provider's users (from IDP_USERS_FILE) and the site's client registration.
Run once, after migrate, with DJANGO_SETTINGS_MODULE=tests.oidc_provider.settings."""

import json
import os
import sys

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

client_id, secret, redirect_uri = sys.argv[1:4]
with open(os.environ["IDP_USERS_FILE"]) as file:
    for username, person in json.load(file).items():
        User.objects.create_user(username, person["email"], person["password"])
Application.objects.create(
    name="Safer Derbyshire staff site",
    client_id=client_id,
    client_secret=secret,
    hash_client_secret=False,
    client_type=Application.CLIENT_CONFIDENTIAL,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    redirect_uris=redirect_uri,
    post_logout_redirect_uris=redirect_uri.replace("oidc/callback/", "login/"),
    algorithm=Application.RS256_ALGORITHM,
    skip_authorization=True,
)
