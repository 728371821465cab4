"""A real OpenID provider for the tests, run in its own process by tests/servers.py: Django with
django-oauth-toolkit's OIDC support, an RSA key made for the run, and users and misbehaviour
(a wrong audience, an expired token, a bad signature) read from files the test writes."""
