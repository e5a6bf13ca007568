"""Work items: "My work", one item and its actions, a call-back request, the team overview."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import work_views as views

app_name = "work"

urlpatterns = [
    path("", views.mine, name="mine"),
    path(_("availability/"), views.availability, name="availability"),
    path(_("next/"), views.next_item, name="next"),
    path(_("heartbeat/"), views.heartbeat, name="heartbeat"),
    path(_("call-back/"), views.create, name="create"),
    path(_("overview/"), views.overview, name="overview"),
    path("<int:item_id>/", views.item, name="item"),
    path(_("<int:item_id>/accept/"), views.accept, name="accept"),
    path(_("<int:item_id>/decline/"), views.decline, name="decline"),
    path(_("<int:item_id>/release/"), views.release, name="release"),
    path(_("<int:item_id>/finish/"), views.finish, name="finish"),
    path(_("<int:item_id>/cancel/"), views.cancel, name="cancel"),
]
