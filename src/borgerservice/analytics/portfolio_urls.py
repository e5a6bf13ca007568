"""The portfolio analysis page (under /<lang>/management/, namespace "analytics")."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import portfolio_views

urlpatterns = [
    path(_("portfolio/"), portfolio_views.portfolio_page, name="portfolio"),
]
