"""Where uploaded files (case documents) are kept, chosen by ``STORAGE_BACKEND``.

- ``local`` (default): the file system under ``MEDIA_ROOT``. The files are never served
  directly; the application streams them after checking access.
- ``s3``: an S3-compatible bucket (AWS S3, MinIO, Ceph, a Danish cloud's object store)
  through django-storages. Credentials may be left out to use the machine's role or
  the standard AWS credential chain.

Imported by ``settings.py``, so this module must not touch ``django.conf.settings``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"

# Environment variable -> S3Storage option, used only when set.
S3_OPTIONAL = {
    "AWS_S3_ENDPOINT_URL": "endpoint_url",
    "AWS_S3_REGION_NAME": "region_name",
    "AWS_ACCESS_KEY_ID": "access_key",
    "AWS_SECRET_ACCESS_KEY": "secret_key",
    "AWS_LOCATION": "location",
}


def storage_settings(env: Mapping[str, str]) -> dict:
    """The ``STORAGES["default"]`` entry for the environment ``env``."""
    backend = (env.get("STORAGE_BACKEND") or "local").strip().lower()
    if backend == "local":
        # No "location" option: FileSystemStorage follows settings.MEDIA_ROOT, also when
        # tests override it.
        return {"BACKEND": LOCAL_BACKEND}
    if backend != "s3":
        raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', got {backend!r}")
    bucket = (env.get("AWS_STORAGE_BUCKET_NAME") or "").strip()
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME")
    options: dict = {
        "bucket_name": bucket,
        # Documents are personal data: private objects, signed short-lived URLs, and a
        # new name rather than overwriting an existing object.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
    }
    for name, option in S3_OPTIONAL.items():
        value = (env.get(name) or "").strip()
        if value:
            options[option] = value
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
