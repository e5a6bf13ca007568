"""The production static files build: every file the vendored libraries reference (a source
map, a font) must be there, or ``collectstatic`` – and with it ``make demo`` – fails."""

from __future__ import annotations

from django.core.management import call_command


def test_collectstatic_with_the_production_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list((tmp_path / "vendor" / "chartjs").glob("chart.umd.min.*.js"))
