"""Admin for the target-market models: managers maintain them (the weights through the same
service as the page), officers only look."""

from __future__ import annotations

from typing import Any

import pytest

from programs.models import MOU, CountryIndicator, PriorityWeights
from tests.markets.conftest import client_for

pytestmark = pytest.mark.django_db

MODELS = ["countryindicator", "countryrelationship", "mou", "priorityweights"]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_target_market_admin_page_renders_for_a_manager(
    manager_user: Any, three_countries: dict[str, str], prefix: str
) -> None:
    client = client_for(manager_user)
    PriorityWeights.objects.create()
    pages = [f"{prefix}/admin/programs/{model}/" for model in MODELS]
    pages += [f"{prefix}/admin/programs/{model}/add/" for model in MODELS if model != "priorityweights"]
    pages += [
        f"{prefix}/admin/programs/countryindicator/{CountryIndicator.objects.first().pk}/change/",
        f"{prefix}/admin/programs/countryrelationship/FR/change/",
        f"{prefix}/admin/programs/mou/{MOU.objects.first().pk}/change/",
        f"{prefix}/admin/programs/priorityweights/1/change/",
        f"{prefix}/admin/programs/mou/?live=yes",
        f"{prefix}/admin/programs/mou/?live=no",
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_weights_are_added_once_and_never_deleted(manager_user: Any) -> None:
    client = client_for(manager_user)
    assert client.get("/en/admin/programs/priorityweights/add/").status_code == 200
    PriorityWeights.objects.create()
    assert client.get("/en/admin/programs/priorityweights/add/").status_code == 403
    assert client.get("/en/admin/programs/priorityweights/1/delete/").status_code == 403


def test_a_manager_changes_the_weights_in_admin(manager_user: Any) -> None:
    PriorityWeights.objects.create()
    client = client_for(manager_user)
    data = {
        "market_size": "10",
        "growth_potential": "10",
        "relationship_maturity": "10",
        "cultural_intimacy": "10",
        "ip_protection": "60",
    }
    response = client.post("/en/admin/programs/priorityweights/1/change/", data)
    assert response.status_code == 302
    row = PriorityWeights.objects.get()
    assert row.ip_protection == 60 and row.updated_by == manager_user


def test_all_zero_weights_in_admin_show_an_error(manager_user: Any) -> None:
    PriorityWeights.objects.create()
    data = dict.fromkeys(
        ["market_size", "growth_potential", "relationship_maturity", "cultural_intimacy", "ip_protection"], "0"
    )
    response = client_for(manager_user).post("/en/admin/programs/priorityweights/1/change/", data)
    assert response.status_code == 200
    assert "At least one weight must be above zero." in response.content.decode()
    assert PriorityWeights.objects.get().market_size == 30


def test_a_manager_records_an_mou_with_sectors(manager_user: Any) -> None:
    data = {
        "country": "VN",
        "partner_institution": "Hanoi Games Guild",
        "signed_on": "2024-03-01",
        "expires_on": "",
        "sectors": ["games", "animation"],
        "scope": "Showcases",
    }
    response = client_for(manager_user).post("/en/admin/programs/mou/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MOU.objects.get().sectors == ["games", "animation"]


def test_mou_expiring_before_signing_is_an_error_in_admin(manager_user: Any) -> None:
    data = {
        "country": "VN",
        "partner_institution": "P",
        "signed_on": "2024-03-01",
        "expires_on": "2024-01-01",
        "scope": "",
    }
    response = client_for(manager_user).post("/en/admin/programs/mou/add/", data)
    assert response.status_code == 200
    assert "An MOU cannot expire before it is signed." in response.content.decode()
    assert not MOU.objects.exists()


def test_an_index_out_of_range_is_an_error_in_admin(manager_user: Any) -> None:
    data = {"country": "FR", "indicator": "ip_protection", "value": "150", "year": "2024", "source": "agency"}
    response = client_for(manager_user).post("/en/admin/programs/countryindicator/add/", data)
    assert response.status_code == 200
    assert "An index runs from 0 to 100." in response.content.decode()


def test_officers_view_but_do_not_change(officer_user: Any, three_countries: dict[str, str]) -> None:
    client = client_for(officer_user)
    for model in MODELS:
        assert client.get(f"/en/admin/programs/{model}/").status_code == 200, model
        assert client.get(f"/en/admin/programs/{model}/add/").status_code == 403, model
    data = {"country": "FR", "indicator": "ip_protection", "value": "10", "year": "2024", "source": "x"}
    assert client.post("/en/admin/programs/countryindicator/add/", data).status_code == 403


def test_firms_staff_have_no_admin(firm_staff_user: Any) -> None:
    response = client_for(firm_staff_user).get("/en/admin/programs/mou/")
    assert response.status_code == 302  # to the admin login: not staff
