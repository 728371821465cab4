"""The real site plus a baseline view, for benchmarks only. Never installed or routed in
production: gunicorn loads it by its settings module in benchmarks/journey.py."""
