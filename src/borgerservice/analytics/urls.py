"""Management information and planning pages (team leads, managers and analysts)."""

from django.urls import include, path

from . import dashboard_urls, planning_urls, portfolio_urls

app_name = "analytics"

urlpatterns = [
    path("", include(dashboard_urls)),
    path("", include(planning_urls)),
    path("", include(portfolio_urls)),
]
