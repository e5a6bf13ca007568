"""The triage queue of written inquiries, one message and its actions, and the thresholds."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import inbox_views as views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox_list, name="list"),
    path(_("thresholds/"), views.thresholds, name="thresholds"),
    path("<int:message_id>/", views.inbox_detail, name="detail"),
    path(_("<int:message_id>/route/"), views.inbox_route, name="route"),
    path(_("<int:message_id>/dismiss/"), views.inbox_dismiss, name="dismiss"),
]
