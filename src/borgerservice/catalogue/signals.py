"""Any change to catalogue content bumps the catalogue version (see ``CatalogueState``)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import (
    Department,
    KleTopic,
    LifeSituation,
    Service,
    ServiceArea,
    ServiceChannel,
)
from .services import catalogue_change_recorded

_WATCHED = (Department, KleTopic, LifeSituation, Service, ServiceArea, ServiceChannel)


@receiver(post_save)
@receiver(post_delete)
def _content_changed(sender, raw=False, **kwargs) -> None:
    if sender in _WATCHED and not raw:
        catalogue_change_recorded()


@receiver(m2m_changed, sender=Service.life_situations.through)
@receiver(m2m_changed, sender=Service.source_departments.through)
def _links_changed(sender, action, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        catalogue_change_recorded()
