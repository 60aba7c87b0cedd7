"""/markets/: who may see and change what, the weights form, the strategic-target toggle,
and both languages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from programs.models import Country, PriorityWeights
from tests.markets.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/en/markets/"
WEIGHTS = {
    "market_size": "30",
    "growth_potential": "20",
    "relationship_maturity": "20",
    "cultural_intimacy": "15",
    "ip_protection": "15",
}


def ranking_order(response: Any) -> list[str]:
    """ISO codes of the ranked rows, in page order."""
    return [row.country.pk for row, _cells in response.context["ranked"]]


# --- Who ----------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_firms_staff_get_404_for_every_url(firm_staff_user: Any) -> None:
    client = client_for(firm_staff_user)
    assert client.get(URL).status_code == 404
    assert client.post(URL, WEIGHTS).status_code == 404
    assert client.post("/en/markets/FR/strategic-target/", {"is_strategic_target": "true"}).status_code == 404
    assert not PriorityWeights.objects.exists()
    assert not Country.objects.get(pk="FR").is_strategic_target


def test_officers_read_the_page_without_the_forms(officer_user: Any, three_countries: dict[str, str]) -> None:
    client = client_for(officer_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert not response.context["can_edit"]
    body = response.content.decode()
    assert 'name="market_size"' not in body
    assert "strategic-target" not in body
    assert ranking_order(response) == ["FR", "JP", "VN"]


def test_officers_cannot_post(officer_user: Any) -> None:
    client = client_for(officer_user)
    assert client.post(URL, WEIGHTS).status_code == 403
    assert client.post("/en/markets/FR/strategic-target/", {"is_strategic_target": "true"}).status_code == 403
    assert not PriorityWeights.objects.exists()
    assert not Country.objects.get(pk="FR").is_strategic_target


def test_managers_see_the_ranking_with_contributions(manager_user: Any, three_countries: dict[str, str]) -> None:
    response = client_for(manager_user).get(URL)
    assert response.status_code == 200
    assert response.context["can_edit"]
    assert ranking_order(response) == ["FR", "JP", "VN"]
    body = response.content.decode()
    assert 'name="market_size"' in body
    # France: the market-size contribution, 30.0 points; Viet Nam: 65 % coverage, two factors missing.
    assert "+30.0" in body
    assert "65%" in body
    assert "Missing: Relationship maturity, Cultural intimacy" in body
    assert 'id="country-VN"' in body
    # Every country without data is still listed, unranked.
    assert len(response.context["unranked"]) == Country.objects.count() - 3


def test_the_page_takes_the_same_queries_with_or_without_data(manager_user: Any, request: Any) -> None:
    client = client_for(manager_user)
    client.get(URL)  # sessions, role cache

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    without = count()
    request.getfixturevalue("three_countries")
    assert count() == without <= 12


# --- Weights ------------------------------------------------------------------------------------


def test_saving_weights_changes_the_ranking(manager_user: Any, three_countries: dict[str, str]) -> None:
    client = client_for(manager_user)
    growth_only = {key: "0" for key in WEIGHTS} | {"growth_potential": "100"}
    response = client.post(URL, growth_only)
    assert response.status_code == 302
    assert response["Location"] == URL
    page = client.get(URL)
    assert ranking_order(page) == ["VN", "JP", "FR"]
    assert "The weights are saved" in page.content.decode()
    saved = PriorityWeights.objects.get()
    assert saved.growth_potential == 100 and saved.market_size == 0 and saved.updated_by == manager_user


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"market_size": "-5"}, "market_size", "greater than or equal to 0"),
        ({"growth_potential": "abc"}, "growth_potential", "Enter a number"),
        ({"ip_protection": "1000"}, "ip_protection", "less than or equal to 100"),
        ({"cultural_intimacy": ""}, "cultural_intimacy", "This field is required"),
        ({"market_size": "1.234"}, "market_size", "no more than 2 decimal places"),
        ({key: "0" for key in WEIGHTS}, None, "At least one weight must be above zero"),
    ],
)
def test_invalid_weights_show_errors_and_keep_the_input(
    manager_user: Any, change: dict[str, str], field: str | None, message: str
) -> None:
    data = WEIGHTS | change
    response = client_for(manager_user).post(URL, data)
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors[field] if field else form.non_field_errors()
    assert any(message in error for error in errors), form.errors
    body = response.content.decode()
    assert message in body
    # What the manager typed is shown again, not the saved values.
    for key, value in data.items():
        assert f'name="{key}" value="{value}"' in body or (value == "" and f'name="{key}"' in body)
    assert not PriorityWeights.objects.exists()


def test_weights_form_starts_from_the_current_weights(manager_user: Any) -> None:
    PriorityWeights.objects.create(market_size=42)
    body = client_for(manager_user).get(URL).content.decode()
    assert 'name="market_size" value="42.00"' in body


# --- Strategic targets --------------------------------------------------------------------------


def test_a_manager_toggles_a_strategic_target(manager_user: Any, three_countries: dict[str, str]) -> None:
    client = client_for(manager_user)
    response = client.post("/en/markets/VN/strategic-target/", {"is_strategic_target": "true"})
    assert response.status_code == 302
    assert response["Location"] == "/en/markets/#country-VN"
    assert Country.objects.get(pk="VN").is_strategic_target
    page = client.get(URL).content.decode()
    assert "Vietnam is now a strategic target market." in page
    assert "Remove Vietnam from the targets" in page

    client.post("/en/markets/vn/strategic-target/", {"is_strategic_target": "false"})
    assert not Country.objects.get(pk="VN").is_strategic_target


def test_toggle_with_a_bad_value_or_country_is_refused_clearly(manager_user: Any) -> None:
    client = client_for(manager_user)
    response = client.post("/en/markets/FR/strategic-target/", {"is_strategic_target": "maybe"}, follow=True)
    assert response.status_code == 200
    assert "Choose whether the country is a strategic target." in response.content.decode()
    assert not Country.objects.get(pk="FR").is_strategic_target
    assert client.post("/en/markets/XX/strategic-target/", {"is_strategic_target": "true"}).status_code == 404
    assert client.post("/en/markets/FRANCE/strategic-target/", {"is_strategic_target": "true"}).status_code == 404
    assert client.get("/en/markets/FR/strategic-target/").status_code == 405


def test_unranked_countries_can_be_toggled_too(manager_user: Any) -> None:
    client = client_for(manager_user)
    client.post("/en/markets/NO/strategic-target/", {"is_strategic_target": "true"})
    assert Country.objects.get(pk="NO").is_strategic_target


# --- Languages ----------------------------------------------------------------------------------


def test_the_page_renders_in_english_and_korean(manager_user: Any, three_countries: dict[str, str]) -> None:
    client = client_for(manager_user)
    english = client.get("/en/markets/")
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert "Vietnam" in english.content.decode()

    korean = client.get("/markets/")
    assert korean.status_code == 200
    body = korean.content.decode()
    assert '<html lang="ko">' in body
    assert Country.objects.get(pk="VN").name_ko in body  # 베트남
    assert 'action="/markets/VN/strategic-target/"' in body


def test_korean_form_errors_render(manager_user: Any) -> None:
    response = client_for(manager_user).post("/markets/", WEIGHTS | {"market_size": "-1"})
    assert response.status_code == 200
    assert response.context["form"].errors["market_size"]
