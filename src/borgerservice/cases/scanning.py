"""The malware scan hook for uploaded documents.

Every upload is handed to the scanner named by the ``DOCUMENT_SCANNER`` setting (the
dotted path of a ``Scanner`` subclass, or of a function returning one) before anything
is stored. A verdict with ``clean=False`` refuses the upload; a scanner that fails
(raises) refuses it too, so the hook fails closed. Without a setting, ``NoScanner`` lets
every file through and the version is recorded as "not scanned".

Plugging in ClamAV
------------------
Run ``clamd`` next to the application and add an adapter module of your own, e.g. with
the ``clamd`` package (``pip install clamd``)::

    # kk_adapters/clamav.py
    import io
    import os

    import clamd

    from borgerservice.cases.scanning import Scanner, ScanVerdict


    class ClamdScanner(Scanner):
        name = "clamav"

        def __init__(self) -> None:
            self.client = clamd.ClamdNetworkSocket(
                host=os.environ.get("CLAMD_HOST", "127.0.0.1"),
                port=int(os.environ.get("CLAMD_PORT", "3310")),
                timeout=30,
            )

        def scan(self, *, filename: str, content: bytes) -> ScanVerdict:
            status, signature = self.client.instream(io.BytesIO(content))["stream"]
            if status == "OK":
                return ScanVerdict(clean=True, detail="")
            if status == "FOUND":
                return ScanVerdict(clean=False, detail=signature or "")
            raise RuntimeError(f"clamd answered {status} {signature}")

and set ``DOCUMENT_SCANNER=kk_adapters.clamav.ClamdScanner``. clamd's ``StreamMaxLength``
must be at least ``DOCUMENT_MAX_BYTES``. The EICAR test file checks the set-up end to end.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class ScanVerdict:
    """What the scanner found. ``scanned=False`` means nothing looked at the file (the
    version is recorded as "not scanned")."""

    clean: bool
    detail: str = ""
    scanned: bool = True


class Scanner:
    """The interface of a malware scanner adapter."""

    name: str = "scanner"

    def scan(self, *, filename: str, content: bytes) -> ScanVerdict:
        raise NotImplementedError


class NoScanner(Scanner):
    """No scanner configured: every file passes, recorded as not scanned."""

    name = "none"

    def scan(self, *, filename: str, content: bytes) -> ScanVerdict:
        return ScanVerdict(clean=True, detail="not_scanned", scanned=False)


def current_scanner() -> Scanner:
    """The scanner named by ``settings.DOCUMENT_SCANNER``; ``NoScanner`` when unset."""
    path = (getattr(settings, "DOCUMENT_SCANNER", "") or "").strip()
    if not path or path.lower() == "none":
        return NoScanner()
    return import_string(path)()
