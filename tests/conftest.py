"""Shared fixtures: the Copenhagen catalogue is loaded once per test session.

Every test runs in a transaction that is rolled back, so the loaded catalogue is
the starting point of each test. The KLE keyword file is imported when the
shared copy is present (a municipality loads its own copy; it is not part of the
repository).
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
KLE_FILE = REPO.parent / "shared" / "data" / "os2kle" / "OS2KLE.txt"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from borgerservice.accounts.roles import roles_ensure
    from borgerservice.catalogue.services import catalogue_load_copenhagen, kle_import

    with django_db_blocker.unblock():
        catalogue_load_copenhagen()
        from borgerservice.cases.services import case_types_ensure

        case_types_ensure()
        if KLE_FILE.exists():
            kle_import(path=KLE_FILE)
        roles_ensure()


@pytest.fixture
def kle_loaded() -> bool:
    return KLE_FILE.exists()


@pytest.fixture
def staff_user(db, django_user_model):
    from django.contrib.auth.models import Group

    from borgerservice.accounts.roles import FRONT_OFFICE

    user = django_user_model.objects.create_user(
        username="medarbejder", password="korrekt-hest-batteri", first_name="Mette"
    )
    user.groups.add(Group.objects.get(name=FRONT_OFFICE))
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Documents written by any test go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _default_language():
    """A request under /en/ activates English in the test's thread; the next test starts
    from the default language again."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def triage_artifact(django_db_setup, django_db_blocker) -> bytes:
    """The triage model trained once per test session on the loaded catalogue and the
    project's phrasings (about 15 s)."""
    from borgerservice.contacts.triage import train
    from borgerservice.contacts.triage_services import training_examples

    with django_db_blocker.unblock():
        return train(training_examples()).dumps()


@pytest.fixture
def triage_model(db, triage_artifact):
    """The session's triage model stored as version 1 and active."""
    import hashlib

    import sklearn

    from borgerservice.contacts.models import TriageModel
    from borgerservice.contacts.triage_services import clear_cache

    model = TriageModel.objects.create(
        version=1,
        active=True,
        artifact=triage_artifact,
        artifact_sha256=hashlib.sha256(triage_artifact).hexdigest(),
        library_version=sklearn.__version__,
        examples=1,
        services=1,
        training_seconds=1.0,
    )
    clear_cache()
    yield model
    clear_cache()
