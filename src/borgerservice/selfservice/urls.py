from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "selfservice"

urlpatterns = [
    path("", views.index, name="index"),
    path(_("receipt/<int:submission_id>/"), views.receipt, name="receipt"),
    path("<slug:service_code>/", views.start, name="start"),
    path(_("<slug:service_code>/check/"), views.check, name="check"),
    path("<slug:service_code>/<int:step>/", views.step, name="step"),
]
