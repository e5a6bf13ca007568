from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "borgerservice.contacts"
    label = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from borgerservice.citizens.panels import register_panel

        from .selectors import contacts_panel

        register_panel(
            name="contacts",
            order=10,
            template="contacts/panel.html",
            build=contacts_panel,
        )
