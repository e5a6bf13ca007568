"""The one error type of the platform.

A ``ServiceError`` carries a stable machine-readable ``code``, a translated
human message and the HTTP status it maps to. The API renders it as JSON
(``{"code": ..., "message": ..., "field": ...}``), the UI as a DKFDS error
summary. Raising it must leave the database unchanged: services raise before
they write, or inside the transaction that is then rolled back.
"""

from __future__ import annotations

from django.utils.encoding import force_str
from django.utils.functional import Promise


class ServiceError(Exception):
    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        status: int = 400,
        field: str | None = None,
        params: dict | None = None,
    ) -> None:
        self.code = code
        self._message = message
        self.status = status
        self.field = field
        self.params = params or {}
        super().__init__(code)

    @property
    def message(self) -> str:
        """The message in the active language, with parameters filled in."""
        text = force_str(self._message)
        return text % self.params if self.params else text

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(ServiceError):
    def __init__(self, code: str, message: str | Promise, **kwargs) -> None:
        kwargs.setdefault("status", 404)
        super().__init__(code, message, **kwargs)
