from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "queueing"

urlpatterns = [
    path("", views.overview, name="overview"),
    path(_("device/"), views.device, name="device"),
    path(_("device/register/"), views.device_register, name="device-register"),
    path(_("device/forget/"), views.device_forget, name="device-forget"),
    path(_("counter/"), views.counter, name="counter"),
    path(_("counter/sign-in/"), views.counter_open, name="counter-open"),
    path(_("counter/sign-out/"), views.counter_close, name="counter-close"),
    path(_("counter/call-next/"), views.call_next, name="call-next"),
    path(_("counter/tickets/<int:ticket_id>/finish/"), views.ticket_finish, name="ticket-finish"),
    path(
        _("counter/tickets/<int:ticket_id>/<slug:action>/"),
        views.ticket_action,
        name="ticket-action",
    ),
    path("<slug:centre>/kiosk/", views.kiosk, name="kiosk"),
    path(_("<slug:centre>/kiosk/ticket/"), views.kiosk_draw, name="kiosk-draw"),
    path(
        _("<slug:centre>/kiosk/ticket/<int:ticket_id>/"),
        views.kiosk_ticket,
        name="kiosk-ticket",
    ),
    path(_("<slug:centre>/kiosk/check-in/"), views.kiosk_check_in, name="kiosk-check-in"),
    path(_("<slug:centre>/display/"), views.display, name="display"),
    path(_("<slug:centre>/close-day/"), views.day_close, name="day-close"),
]
