"""Min side's main menu: one entry per page, the current one marked."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MENU = (
    ("portal:overview", _("Overview")),
    ("portal:cases", _("My cases")),
    ("selfservice:index", _("Apply")),
    ("portal:appointments", _("My appointments")),
    ("portal:contacts", _("My contacts")),
    ("portal:write", _("Write to us")),
    ("portal:letters", _("My letters")),
    ("portal:access_log", _("Who has looked at my data")),
    ("portal:my_data", _("Download my data")),
    ("portal:preferences", _("Settings")),
    ("portal:guide", _("What do I do when …")),
)


def menu_items(request) -> list[dict]:
    path = request.path
    items = []
    for name, label in MENU:
        url = reverse(name)
        current = path == url or (name != "portal:overview" and path.startswith(url))
        items.append({"url": url, "label": label, "current": current})
    return items
