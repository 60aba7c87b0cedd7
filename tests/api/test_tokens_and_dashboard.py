"""The token page (managers mint and revoke their own API token) and the dashboard page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sme_support.roles import Role
from tests.api.conftest import World
from tests.factories import user_in_group

pytestmark = pytest.mark.django_db


def signed_in(user: Any, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def csrf_post(client: Client, url: str, data: dict[str, str]) -> Any:
    page = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def test_manager_creates_replaces_and_revokes_their_token(db: Any) -> None:
    manager = user_in_group(Role.MANAGER)
    client = signed_in(manager, csrf=True)
    page = client.get("/api/tokens/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    response = csrf_post(client, "/api/tokens/", {"action": "create"})
    assert response.status_code == 200
    key = Token.objects.get(user=manager).key
    assert key in response.content.decode()
    # The key is shown once; afterwards only that one exists.
    assert key not in client.get("/api/tokens/").content.decode()
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/applications/").status_code == 200

    csrf_post(client, "/api/tokens/", {"action": "create"})
    new_key = Token.objects.get(user=manager).key
    assert new_key != key
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/applications/").status_code == 401

    csrf_post(client, "/api/tokens/", {"action": "revoke"})
    assert not Token.objects.filter(user=manager).exists()
    assert APIClient(HTTP_AUTHORIZATION=f"Token {new_key}").get("/api/v1/applications/").status_code == 401


def test_token_page_refuses_a_post_without_csrf(db: Any) -> None:
    client = signed_in(user_in_group(Role.MANAGER), csrf=True)
    assert client.post("/api/tokens/", {"action": "create"}).status_code == 403
    assert not Token.objects.exists()


def test_token_page_is_for_managers_only(world: World) -> None:
    for user in (world.user_a, world.officer):
        assert signed_in(user).get("/api/tokens/").status_code == 403
        assert signed_in(user).post("/api/tokens/", {"action": "create"}).status_code == 403
    assert not Token.objects.exists()
    response = Client().get("/api/tokens/")
    assert response.status_code == 302 and "next=/api/tokens/" in response["Location"]


def test_unknown_token_action_is_400(db: Any) -> None:
    response = signed_in(user_in_group(Role.MANAGER)).post("/api/tokens/", {"action": "steal"})
    assert response.status_code == 400


def test_dashboard_for_managers_and_officers_only(world: World) -> None:
    manager_page = signed_in(world.manager).get("/dashboard/?fiscal_year=2026&kind=trade_show")
    assert manager_page.status_code == 200
    html = manager_page.content.decode()
    assert 'data-stats-url="/api/v1/stats/applications/"' in html
    assert 'data-outcome-stats-url="/api/v1/stats/outcomes/"' in html
    assert 'data-ip-stats-url="/api/v1/stats/ip-filings/"' in html
    for chart, title in [("outcomes_country", "Outcomes by country"), ("ip_country", "IP filings abroad by country")]:
        assert f'data-chart="{chart}"' in html and f'<h2 id="chart-{chart}-title">{title}</h2>' in html
    assert "the filters above do not apply" in html
    strings = json.loads(html.split('<script id="dashboard-strings" type="application/json">')[1].split("</script>")[0])
    assert strings["consultation_usd"] == "Consultations (USD)" and strings["filings"] == "IP filings"
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/dashboard.js" in html
    assert '<option value="2026" selected>' in html
    assert '<option value="trade_show" selected>' in html
    assert "/api/tokens/" in html
    officer_page = signed_in(world.officer).get("/dashboard/")
    assert officer_page.status_code == 200
    assert "/api/tokens/" not in officer_page.content.decode()
    assert signed_in(world.user_a).get("/dashboard/").status_code == 403
    assert Client().get("/dashboard/").status_code == 302


def test_dashboard_assets_are_served_from_our_static_files() -> None:
    assert finders.find("vendor/chartjs/chart.umd.min.js")
    assert finders.find("vendor/chartjs/LICENSE.md")
    with open(finders.find("js/dashboard.js"), encoding="utf-8") as file:
        script = file.read()
    assert "http" not in script
    # The new charts read the outcome and IP-filing endpoints the page names.
    assert "outcomes_country" in script and "ip_country" in script
    assert "root.dataset.outcomeStatsUrl" in script and "root.dataset.ipStatsUrl" in script
