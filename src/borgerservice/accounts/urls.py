from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.audit_search, name="audit"),
]
