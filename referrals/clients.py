"""Who a request comes from, as the rate limits and the audit trail know it: a keyed hash of
the address, so no table can be turned back into a list of who used the service.

The HTTP edge only: services are handed the hash, never the request.
"""

import hashlib
import hmac

from django.conf import settings


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the one our trusted proxies saw."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUSTED_PROXY_HOPS:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= settings.TRUSTED_PROXY_HOPS:
            address = forwarded[-settings.TRUSTED_PROXY_HOPS]
    return address


def client_hash(request) -> str:
    address = client_address(request)
    key = hashlib.sha256(b"safer-derbyshire/throttle/" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()
