from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from applications import views as dashboard
from portal.views import language as portal_language
from sme_support import views

# An outage is a 503 even when it surfaces in a middleware (sme_support/outage.py).
handler500 = "sme_support.outage.server_error"

admin.site.site_header = "sme-support"
admin.site.site_title = "sme-support"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The portal's switcher also stores a signed-in user's choice; it answers set_language's
    # URL and name, so it must come before Django's own.
    path("i18n/setlang/", portal_language.language_switch, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The REST API and its docs: no language prefix; the language comes from Accept-Language.
    path("api/", include("sme_support.api.urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("portal/", include("portal.urls")),
    path("officer/", include("reviews.urls")),
    path("markets/", include("programs.markets.urls")),
    prefix_default_language=False,
)
