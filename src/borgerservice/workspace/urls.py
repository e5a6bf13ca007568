from django.urls import path
from django.utils.translation import gettext_lazy as _

from borgerservice.catalogue import views as catalogue_views

from . import views

app_name = "workspace"

urlpatterns = [
    path("", catalogue_views.search, name="home"),
    path(_("accessibility/"), views.accessibility, name="accessibility"),
]
