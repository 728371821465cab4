"""Subject access and other rights requests (UK GDPR arts. 15-18; DPA 2018 Part 3 s45): a
request recorded with its calendar-month deadline, the person's referrals found through the
blind index, a disclosure bundle with the referrer always removed and third parties redacted
by default, corrections beside the answers, and agreed erasures through the purge.

Reads are in selectors, writes in services; bundle.py decides what a bundle shows and draws
it. Only the information rights role reaches any of it."""
