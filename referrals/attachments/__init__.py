"""Files attached to a referral: the email or document it came in (officers attach them when
recording a referral, or later from the case). Each is checked by its content, sealed as it
streams in (sealing.FileSealer) and stored as its own envelope.

file_types.py decides what a file is from its bytes, and refuses what is not allowed.
"""
