"""/markets/: the target-markets page for managers (officers read it)."""

from __future__ import annotations

from django.urls import path

from programs.markets import views as views_markets

app_name = "markets"

urlpatterns = [
    path("", views_markets.market_priorities, name="priorities"),
    path("<str:iso2>/strategic-target/", views_markets.strategic_target, name="strategic-target"),
]
