"""Referrals that reach the team by phone, email, post, in person or from another agency's
system, recorded by an officer on the staff site: sealed through the same service as the
online form's (services.sealed_referral), so one queue holds every referral.

services.py writes; the staff pages (referrals/admin/record.py) call it.
"""
