"""Claims from the test's users file, and, when the test's mode file says so, an ID token that
a careful relying party must refuse."""

import json
import os
import time

from django.db import router, transaction
from jwcrypto import jwk, jwt
from oauth2_provider.models import IDToken
from oauth2_provider.oauth2_validators import OAuth2Validator


def _read(variable: str) -> dict:
    with open(os.environ[variable]) as file:
        return json.load(file)


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below, whatever the scopes

    def get_additional_claims(self, request):
        person = _read("IDP_USERS_FILE")[request.user.get_username()]
        claims = {
            "email": person["email"],
            "email_verified": person.get("email_verified", True),
            "amr": person.get("amr", ["pwd"]),
        }
        if "acr" in person:
            claims["acr"] = person["acr"]
        return claims

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        mode = _read("IDP_MODE_FILE").get("mode", "normal")
        if mode == "userinfo_other_person":  # a provider bug or a tampered answer
            claims.update(sub="someone-else", email="sam@example.org", email_verified=True)
        elif mode == "userinfo_other_email":
            claims.update(email="sam@example.org", email_verified=True)
        return claims

    def finalize_id_token(self, id_token, token, token_handler, request):
        mode = _read("IDP_MODE_FILE").get("mode", "normal")
        if mode == "normal":
            return super().finalize_id_token(id_token, token, token_handler, request)
        claims, expiration_time = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        key = request.client.jwk_key
        if mode == "wrong_audience":
            id_token["aud"] = "some-other-service"
        elif mode == "expired":
            id_token["iat"] = int(time.time()) - 7200
            id_token["exp"] = int(time.time()) - 3600
        elif mode == "bad_signature":
            key = jwk.JWK.generate(kty="RSA", size=2048)  # not the key the JWKS publishes
        header = {"typ": "JWT", "alg": "RS256", "kid": request.client.jwk_key.thumbprint()}
        signed = jwt.JWT(header=json.dumps(header), claims=json.dumps(id_token, default=str))
        signed.make_signed_token(key)
        with transaction.atomic(using=router.db_for_write(IDToken)):
            saved = self._save_id_token(id_token["jti"], request, expiration_time)
        request.access_token = saved
        request.id_token = saved
        return signed.serialize()
