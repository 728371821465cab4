"""Production static files: hashed, compressed, and every reference resolves."""

import json

import pytest
from django.core.management import call_command


@pytest.fixture
def collected(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "safer_derbyshire.storage.StaticStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return tmp_path


def test_collectstatic_hashes_and_compresses_our_assets(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]

    for name in ("dist/safer-derbyshire.css", "js/init.js", "dist/govuk/govuk-frontend.min.js"):
        hashed = manifest[name]
        assert hashed != name
        assert (collected / hashed).exists()
    for name in ("dist/safer-derbyshire.css", "dist/govuk/govuk-frontend.min.js"):
        assert (collected / f"{manifest[name]}.gz").exists()


def test_the_module_import_points_at_the_hashed_frontend(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]

    init = (collected / manifest["js/init.js"]).read_text()

    hashed_frontend = manifest["dist/govuk/govuk-frontend.min.js"].rsplit("/", 1)[1]
    assert hashed_frontend in init
