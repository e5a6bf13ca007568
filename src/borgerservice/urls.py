from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from borgerservice.api import views as api_views
from borgerservice.api.api import api
from borgerservice.workspace.views import health

admin.site.site_header = _("Borgerservice – catalogue administration")
admin.site.site_title = _("Borgerservice")

urlpatterns = [
    path("api/v1/docs", api_views.docs_redirect),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_views.not_found),
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
]

urlpatterns += i18n_patterns(
    path("", include("borgerservice.workspace.urls")),
    path(_("catalogue/"), include("borgerservice.catalogue.urls")),
    path(_("citizens/"), include("borgerservice.citizens.urls")),
    path(_("contacts/"), include("borgerservice.contacts.urls")),
    path(_("inbox/"), include("borgerservice.contacts.inbox_urls")),
    path(_("audit/"), include("borgerservice.accounts.urls")),
    path(_("cases/"), include("borgerservice.cases.urls")),
    path(_("queues/"), include("borgerservice.queueing.urls")),
    path(_("work/"), include("borgerservice.queueing.work_urls")),
    path(_("appointments/"), include("borgerservice.booking.urls")),
    path(_("management/"), include("borgerservice.analytics.urls")),
    path(_("survey/"), include("borgerservice.analytics.survey_urls")),
    path(_("my-page/apply/"), include("borgerservice.selfservice.urls")),
    path(_("my-page/"), include("borgerservice.portal.urls")),
    path(_("api-documentation/"), api_views.docs, name="api-docs"),
    path(_("login/"), auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path(_("logout/"), auth_views.LogoutView.as_view(), name="logout"),
    prefix_default_language=False,
)
