"""URLs under /api/: the v1 resources and statistics, the schema and its docs, the token page."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import APIRootView, DefaultRouter

from applications.api.applications import ApplicationViewSet
from applications.api.outcomes import OutcomeReportViewSet
from applications.api.stats import ApplicationStatisticsView, IPFilingStatisticsView, OutcomeStatisticsView
from firms.api import FirmViewSet
from programs.api import CountryViewSet, ProgramViewSet
from programs.markets.api import MarketPriorityViewSet
from sme_support.api.base import ApiViewMixin
from sme_support.api.tokens import api_tokens

app_name = "api"


class _RootView(ApiViewMixin, APIRootView):
    """The browsable index of the resources (401 without credentials, like the rest)."""

    schema = None


class _Router(DefaultRouter):
    # CSV is chosen with ?format=csv or Accept: text/csv; no ".csv" URL variants.
    include_format_suffixes = False
    APIRootView = _RootView


router = _Router()
router.register("firms", FirmViewSet, basename="firm")
router.register("programs", ProgramViewSet, basename="program")
router.register("applications", ApplicationViewSet, basename="application")
router.register("outcome-reports", OutcomeReportViewSet, basename="outcome-report")
router.register("countries", CountryViewSet, basename="country")
router.register("markets/priority", MarketPriorityViewSet, basename="market-priority")

urlpatterns = [
    path("v1/stats/applications/", ApplicationStatisticsView.as_view(), name="stats-applications"),
    path("v1/stats/outcomes/", OutcomeStatisticsView.as_view(), name="stats-outcomes"),
    path("v1/stats/ip-filings/", IPFilingStatisticsView.as_view(), name="stats-ip-filings"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"), name="redoc"),
    path("tokens/", api_tokens, name="tokens"),
]
