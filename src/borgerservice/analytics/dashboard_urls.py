"""The management dashboard page and its exports (namespace ``analytics``)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import dashboard_views

urlpatterns = [
    path(_("dashboard/"), dashboard_views.dashboard, name="dashboard"),
    path(_("dashboard/export/"), dashboard_views.export, name="dashboard-export"),
]
