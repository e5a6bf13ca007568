from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "catalogue"

urlpatterns = [
    path(_("service/<slug:code>/"), views.service_detail, name="service"),
    path(_("departments/"), views.department_list, name="departments"),
    path(_("department/<slug:slug>/"), views.department_detail, name="department"),
    path(_("centres/"), views.centre_list, name="centres"),
]
