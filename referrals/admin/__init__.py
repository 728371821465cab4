"""The staff site's referral pages: the queue (queue.py), the case view and its actions
(case.py), the audit log (audit_trail.py), rights requests (rights.py) and background tasks
(tasks.py).

HTTP only: parse, check the form, call one service, render or redirect. Referral pages answer
to Prevent roles alone (referrals/roles.py), never to is_superuser.
"""

from . import audit_trail, queue, rights, tasks  # noqa: F401  (each registers with the staff site)
