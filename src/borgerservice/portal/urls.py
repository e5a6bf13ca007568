from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import link_views, views, views_auth, views_write

app_name = "portal"

urlpatterns = [
    path("", views_auth.home, name="home"),
    path(_("log-in/"), views_auth.login, name="login"),
    path(_("log-in/demo/"), views_auth.demo_login, name="demo_login"),
    path(_("log-in/mitid/"), views_auth.oidc_login, name="oidc_login"),
    path(_("log-in/mitid/callback/"), views_auth.oidc_callback, name="oidc_callback"),
    path(_("log-out/"), views_auth.logout, name="logout"),
    path(_("keep-alive/"), views_auth.keepalive, name="keepalive"),
    path(_("overview/"), views.overview, name="overview"),
    path(_("cases/"), views.cases, name="cases"),
    path(_("cases/<str:number>/"), views.case, name="case"),
    path(_("cases/<str:number>/messages/"), views.case_message, name="case_message"),
    path(
        _("cases/<str:number>/documents/<int:version_id>/"),
        views.case_document,
        name="case_document",
    ),
    path(_("appointments/"), views.appointments, name="appointments"),
    path(_("appointments/new/"), views.appointment_new, name="appointment_new"),
    path(_("appointments/<str:code>/move/"), views.appointment_rebook, name="appointment_rebook"),
    path(_("appointments/<str:code>/cancel/"), views.appointment_cancel, name="appointment_cancel"),
    path(_("contacts/"), views.contacts, name="contacts"),
    path(_("write-to-us/"), views_write.write, name="write"),
    path(_("write-to-us/sent/"), views_write.write_sent, name="write_sent"),
    path(_("letters/"), views.letters, name="letters"),
    path(_("letters/<int:letter_id>/"), views.letter, name="letter"),
    path(_("who-has-looked/"), views.access_log, name="access_log"),
    path(_("my-data/"), views.my_data, name="my_data"),
    path(_("my-data/download/"), views.my_data_download, name="my_data_download"),
    path(_("settings/"), views.preferences, name="preferences"),
    path(_("what-do-i-do/"), views.guide, name="guide"),
    path(_("what-do-i-do/<slug:code>/"), views.guide_situation, name="guide_situation"),
    path(_("services/<slug:code>/"), views.service, name="service"),
    path(_("accessibility/"), views.accessibility, name="accessibility"),
    path(_("cookies/"), views.cookies, name="cookies"),
    path(_("link/<str:token>/"), link_views.link_open, name="link"),
]
