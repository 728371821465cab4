import sys

# Fail loudly on the machine's default Python 3.11 rather than run on whatever Django it finds.
if sys.version_info < (3, 12):  # noqa: UP036
    raise RuntimeError("Safer Derbyshire needs Python 3.12 or newer (Django 6.1).")
