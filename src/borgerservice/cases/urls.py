from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<slug:number>/", views.detail, name="detail"),
    path("<slug:number>/status/", views.transition, name="transition"),
    path(_("<slug:number>/extend/"), views.extend, name="extend"),
    path(_("<slug:number>/assign/"), views.assign, name="assign"),
    path(_("<slug:number>/transfer/"), views.transfer, name="transfer"),
    path(_("<slug:number>/notes/"), views.note_add, name="note"),
    path(_("<slug:number>/parties/"), views.party_add, name="party"),
    path(_("<slug:number>/documents/"), views.document_upload, name="upload"),
    path(
        _("<slug:number>/documents/<int:version_id>/"),
        views.document_download,
        name="download",
    ),
    path(_("<slug:number>/hearings/"), views.hearing_send, name="hearing"),
    path(
        _("<slug:number>/hearings/<int:hearing_id>/answer/"),
        views.hearing_answer,
        name="hearing-answer",
    ),
    path(_("<slug:number>/decisions/"), views.decision_make, name="decision"),
    path(_("<slug:number>/export/"), views.export, name="export"),
    path(_("<slug:number>/messages/"), views.message_send, name="message"),
    path(_("<slug:number>/kle/"), views.kle_set, name="kle"),
]
