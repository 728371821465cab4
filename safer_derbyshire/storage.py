"""Static files storage: WhiteNoise's compressed, hashed files, with JS imports rewritten too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # static/js/init.js imports GOV.UK Frontend as a module; rewrite that import to the
    # hashed name so the browser caches one immutable copy.
    support_js_module_import_aggregation = True
