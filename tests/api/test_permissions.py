"""Who sees what: every endpoint × role, against objects of another firm or of a program the
officer is not assigned to. What a user may not see is a 404, never a 403 that confirms it
exists; a request without credentials is a 401."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import World, error_of

pytestmark = pytest.mark.django_db

ACTIONS = [
    "submit",
    "withdraw",
    "start-review",
    "request-info",
    "approve",
    "waitlist",
    "reject",
    "cancel",
    "complete",
    "override-eligibility",
    "sign-off",
]


def hidden_objects(world: World, role: str) -> dict[str, Any]:
    """For each role, objects that exist but are not theirs to see."""
    if role == "firm":  # staff of firm A
        return {"firm": world.firm_b, "application": world.app_ba, "report": world.report_cb}
    if role == "officer":  # assigned to program A only
        return {"firm": world.firm_c, "application": world.app_cb, "report": world.report_cb}
    raise AssertionError(role)


@pytest.mark.parametrize("role", ["firm", "officer"])
def test_detail_of_an_object_the_user_may_not_see_is_404(world: World, role: str) -> None:
    client = world.client(role)
    hidden = hidden_objects(world, role)
    urls = [
        f"/api/v1/firms/{hidden['firm'].pk}/",
        f"/api/v1/applications/{hidden['application'].pk}/",
        f"/api/v1/outcome-reports/{hidden['report'].pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("role", ["firm", "officer"])
@pytest.mark.parametrize("action", ACTIONS)
def test_actions_on_an_application_the_user_may_not_see_are_404(world: World, role: str, action: str) -> None:
    application = hidden_objects(world, role)["application"]
    status_before = application.status
    response = world.client(role).post(
        f"/api/v1/applications/{application.pk}/{action}/",
        {"units": 1, "reason": "r", "message": "m", "justification": "j", "approve": True, "note": "n"},
        format="json",
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == status_before


@pytest.mark.parametrize("role", ["firm", "officer"])
def test_patching_an_application_the_user_may_not_see_is_404(world: World, role: str) -> None:
    application = hidden_objects(world, role)["application"]
    response = world.client(role).patch(
        f"/api/v1/applications/{application.pk}/", {"requested_units": 5}, format="json"
    )
    assert response.status_code == 404


def test_manager_sees_every_object(world: World) -> None:
    client = world.client("manager")
    for url in [
        f"/api/v1/firms/{world.firm_b.pk}/",
        f"/api/v1/firms/{world.firm_c.pk}/",
        f"/api/v1/applications/{world.app_ba.pk}/",
        f"/api/v1/applications/{world.app_cb.pk}/",
        f"/api/v1/outcome-reports/{world.report_cb.pk}/",
        f"/api/v1/programs/{world.program_b.pk}/",
        "/api/v1/countries/FR/",
    ]:
        assert client.get(url).status_code == 200, url


def test_own_objects_are_visible(world: World) -> None:
    firm = world.client("firm")
    assert firm.get(f"/api/v1/firms/{world.firm_a.pk}/").status_code == 200
    assert firm.get(f"/api/v1/applications/{world.app_aa.pk}/").status_code == 200
    assert firm.get(f"/api/v1/outcome-reports/{world.report_aa.pk}/").status_code == 200
    officer = world.client("officer")
    # Firm B applied to the officer's program, so the officer may see firm B.
    assert officer.get(f"/api/v1/firms/{world.firm_b.pk}/").status_code == 200
    assert officer.get(f"/api/v1/applications/{world.app_ba.pk}/").status_code == 200


@pytest.mark.parametrize("role", ["firm", "officer", "manager"])
def test_programs_and_countries_are_public_to_every_signed_in_user(world: World, role: str) -> None:
    client = world.client(role)
    assert client.get(f"/api/v1/programs/{world.program_b.pk}/").status_code == 200
    assert client.get("/api/v1/programs/").json()["count"] == 2
    assert client.get("/api/v1/countries/KR/").status_code == 200
    assert client.get("/api/v1/countries/kr/").json()["iso2"] == "KR"


ALL_URLS = [
    "/api/v1/",
    "/api/v1/firms/",
    "/api/v1/programs/",
    "/api/v1/applications/",
    "/api/v1/outcome-reports/",
    "/api/v1/countries/",
    "/api/v1/stats/applications/",
    "/api/v1/stats/outcomes/",
    "/api/v1/stats/ip-filings/",
]


@pytest.mark.parametrize("url", ALL_URLS)
def test_anonymous_requests_are_401_with_the_error_shape(world: World, url: str) -> None:
    response = world.client("anonymous").get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert error_of(response)["code"] == "not_authenticated"


def test_anonymous_detail_and_writes_are_401(world: World) -> None:
    client = world.client("anonymous")
    assert client.get(f"/api/v1/applications/{world.app_aa.pk}/").status_code == 401
    assert client.get(f"/api/v1/firms/{world.firm_a.pk}/").status_code == 401
    assert client.post("/api/v1/applications/", {}, format="json").status_code == 401
    assert client.post(f"/api/v1/applications/{world.app_aa.pk}/submit/").status_code == 401


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_lists_are_scoped_to_the_user(world: World) -> None:
    firm, officer, manager = world.client("firm"), world.client("officer"), world.client("manager")
    assert ids(firm.get("/api/v1/applications/")) == {world.app_aa.pk}
    assert ids(officer.get("/api/v1/applications/")) == {world.app_aa.pk, world.app_ba.pk}
    assert ids(manager.get("/api/v1/applications/")) == {world.app_aa.pk, world.app_ba.pk, world.app_cb.pk}
    assert ids(firm.get("/api/v1/firms/")) == {world.firm_a.pk}
    assert ids(officer.get("/api/v1/firms/")) == {world.firm_a.pk, world.firm_b.pk}
    assert ids(manager.get("/api/v1/firms/")) >= {world.firm_a.pk, world.firm_b.pk, world.firm_c.pk}
    assert ids(firm.get("/api/v1/outcome-reports/")) == {world.report_aa.pk}
    assert ids(officer.get("/api/v1/outcome-reports/")) == {world.report_aa.pk}
    assert ids(manager.get("/api/v1/outcome-reports/")) == {world.report_aa.pk, world.report_cb.pk}


def test_filters_cannot_widen_the_scope(world: World) -> None:
    firm, officer = world.client("firm"), world.client("officer")
    assert ids(firm.get(f"/api/v1/applications/?firm={world.firm_b.pk}")) == set()
    assert ids(firm.get(f"/api/v1/applications/?program={world.program_b.pk}")) == set()
    assert ids(officer.get(f"/api/v1/applications/?program={world.program_b.pk}")) == set()
    assert ids(firm.get(f"/api/v1/outcome-reports/?firm={world.firm_c.pk}")) == set()
    # Firm B is visible to the officer, but that it applied elsewhere is not.
    assert ids(officer.get(f"/api/v1/firms/?program={world.program_b.pk}")) == set()
    assert ids(officer.get(f"/api/v1/firms/?program={world.program_a.pk}")) == {world.firm_a.pk, world.firm_b.pk}


def test_statistics_are_scoped_to_the_user(world: World) -> None:
    def total(client: Any, path: str = "applications") -> dict[str, Any]:
        response = client.get(f"/api/v1/stats/{path}/")
        assert response.status_code == 200, response.content
        return response.json()["results"][0]

    assert total(world.client("firm"))["applications"] == 1
    assert total(world.client("officer"))["applications"] == 2
    assert total(world.client("manager"))["applications"] == 3
    # The only counted report (accepted) belongs to firm C in program B.
    assert total(world.client("firm"), "outcomes")["reports"] == 0
    assert total(world.client("officer"), "outcomes")["reports"] == 0
    assert total(world.client("manager"), "outcomes")["contracts_usd"] == 20_000
    by_program = world.client("officer").get("/api/v1/stats/applications/?group_by=program").json()["results"]
    assert [row["program"] for row in by_program] == [world.program_a.pk]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/applications/?format=csv",
        "/api/v1/firms/?format=csv",
        "/api/v1/outcome-reports/?format=csv",
        "/api/v1/stats/applications/?format=csv&group_by=program",
        "/api/v1/stats/ip-filings/?format=csv&group_by=country,kind",
    ],
)
def test_csv_exports_never_include_another_firms_data(world: World, url: str) -> None:
    response = world.client("firm").get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert world.firm_b.brn not in body and world.firm_c.brn not in body
    assert world.firm_b.name_en not in body and world.firm_c.name_en not in body
    assert "bravo" not in body


def test_firm_staff_cannot_use_officer_actions_on_their_own_application(world: World) -> None:
    from applications.models import Application
    from applications.workflow import Status

    Application.objects.filter(pk=world.app_aa.pk).update(status=Status.ELIGIBLE)
    response = world.client("firm").post(f"/api/v1/applications/{world.app_aa.pk}/start-review/")
    assert response.status_code == 403
    assert error_of(response)["code"] == "not_permitted"


def test_officers_cannot_create_applications(world: World) -> None:
    response = world.client("officer").post(
        "/api/v1/applications/", {"program": world.program_a.pk, "requested_units": 1000}, format="json"
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "not_permitted"
