"""Helpers for models that keep Danish and English text side by side."""

from __future__ import annotations

from django.utils.translation import get_language


def current_language() -> str:
    return "en" if (get_language() or "da").startswith("en") else "da"


class BilingualMixin:
    """Gives ``obj.t("name")`` → ``name_da`` or ``name_en`` for the active language.

    English falls back to Danish where a translation is missing, so a page never
    shows an empty field.
    """

    def t(self, field: str):
        lang = current_language()
        value = getattr(self, f"{field}_{lang}", None)
        if not value and lang != "da":
            value = getattr(self, f"{field}_da", None)
        return value

    @property
    def name(self) -> str:
        return self.t("name")
