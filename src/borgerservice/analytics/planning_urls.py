"""The staffing-plan and simulation pages (namespace "analytics", under management/)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import planning_views as views

urlpatterns = [
    path(_("staffing-plan/"), views.staffing_plan, name="staffing-plan"),
    path(_("simulation/"), views.simulation, name="simulation"),
]
