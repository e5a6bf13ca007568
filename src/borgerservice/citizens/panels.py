"""Sections of the one view of a citizen that other apps contribute.

An app registers a panel with a name, a position, a template and a function that
returns the panel's context for a user and a citizen — scoped to what that user may
see. Contacts register theirs today; cases, appointments and documents add theirs
in later issues without touching the citizen page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PanelSpec:
    name: str
    order: int
    template: str
    build: Callable[..., dict]


@dataclass
class Panel:
    name: str
    template: str
    context: dict


_REGISTRY: dict[str, PanelSpec] = {}


def register_panel(*, name: str, order: int, template: str, build: Callable[..., dict]) -> None:
    _REGISTRY[name] = PanelSpec(name, order, template, build)


def panels_for(*, user, citizen) -> list[Panel]:
    return [
        Panel(spec.name, spec.template, spec.build(user=user, citizen=citizen))
        for spec in sorted(_REGISTRY.values(), key=lambda s: s.order)
    ]
