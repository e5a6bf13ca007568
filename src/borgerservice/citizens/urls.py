from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "citizens"

urlpatterns = [
    path("", views.search, name="search"),
    path("<int:citizen_id>/", views.detail, name="detail"),
    path(_("<int:citizen_id>/cpr/"), views.reveal_cpr, name="reveal"),
    path(_("<int:citizen_id>/export/"), views.export, name="export"),
]
