"""The satisfaction survey after a contact, for citizens (no login): /survey/<token>/."""

from django.urls import path

from . import survey_views

app_name = "survey"

urlpatterns = [
    path("<str:token>/", survey_views.answer, name="answer"),
]
