from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "contacts"

urlpatterns = [
    path(_("new/"), views.register, name="register"),
    path(_("<int:contact_id>/self-service-link/"), views.link_send, name="link_send"),
]
