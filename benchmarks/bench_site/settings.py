"""Production settings, with the baseline view's URL added."""

from safer_derbyshire.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_site.urls"
