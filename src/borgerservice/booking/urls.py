from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "booking"

urlpatterns = [
    path("", views.day, name="day"),
    path(_("new/"), views.new, name="new"),
    path("<int:booking_id>/", views.detail, name="detail"),
    path(_("<int:booking_id>/rebook/"), views.rebook, name="rebook"),
    path(_("<int:booking_id>/cancel/"), views.cancel, name="cancel"),
]
