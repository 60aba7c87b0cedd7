"""Firms, programs and the threshold tables in admin: saves go through the services, and bad
input comes back on the form, never as a 500."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from firms.models import ExportTier, Firm, FirmMembership, SizeClass, SizeClassThreshold
from firms.services import registry as firm_services
from programs.models import Country, Program, ProgramOfficer
from sme_support.roles import Role
from tests.factories import FirmFactory, UserFactory, make_brn, user_in_group

pytestmark = pytest.mark.django_db

FIRM_ADD = "/admin/firms/firm/add/"


def _firm_form(**overrides) -> dict:
    data = {
        "brn": "",
        "name_ko": "디자인랩",
        "name_en": "Design Lab",
        "region": "seoul",
        "sector": "design",
        "founded_on": "2019-04-01",
        "employees": "3",
        "annual_revenue_krw": "900000000",
        "exports_last_year_usd": "150000",
        "website": "",
        "sanctioned_until": "",
        "sanction_reason": "",
    }
    for prefix in ("memberships", "ip_holdings", "export_products"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


def _dashed(brn: str) -> str:
    return f"{brn[:3]}-{brn[3:5]}-{brn[5:]}"


def _firm_change_data(firm: Firm, **overrides) -> dict:
    current = {
        "brn": firm.brn,
        "name_ko": firm.name_ko,
        "name_en": firm.name_en,
        "region": firm.region,
        "sector": firm.sector,
        "founded_on": firm.founded_on.isoformat(),
        "employees": str(firm.employees),
        "annual_revenue_krw": str(firm.annual_revenue_krw),
        "exports_last_year_usd": str(firm.exports_last_year_usd),
    }
    return _firm_form(**{**current, **overrides})


def test_adding_a_firm_derives_size_class_and_export_tier(superuser_client) -> None:
    brn = make_brn(9001)
    response = superuser_client.post(FIRM_ADD, _firm_form(brn=_dashed(brn)))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    firm = Firm.objects.get(brn=brn)
    assert firm.size_class == SizeClass.MICRO  # design, 3 employees, KRW 0.9bn
    assert firm.export_tier == ExportTier.PROMISING  # USD 150k


def test_changing_a_firm_rederives_through_the_service(superuser_client) -> None:
    firm = FirmFactory(employees=3, annual_revenue_krw=900_000_000, exports_last_year_usd=0)
    response = superuser_client.post(
        f"/admin/firms/firm/{firm.pk}/change/",
        _firm_change_data(firm, employees="40", annual_revenue_krw="10000000000", exports_last_year_usd="6000000"),
    )
    assert response.status_code == 302
    firm.refresh_from_db()
    assert (firm.size_class, firm.export_tier) == (SizeClass.MEDIUM, ExportTier.GLOBAL)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("brn", "123-45-67890"),  # check digit wrong
        ("brn", "12345"),
        ("employees", "-1"),
        ("annual_revenue_krw", "lots"),
        ("founded_on", "yesterday"),
    ],
)
def test_bad_firm_input_shows_on_the_form(superuser_client, field, value) -> None:
    data = _firm_form(brn=make_brn(9002))
    data[field] = value
    response = superuser_client.post(FIRM_ADD, data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Firm.objects.filter(name_en="Design Lab").exists()


def test_duplicate_registration_number_shows_on_the_form(superuser_client) -> None:
    existing = FirmFactory()
    response = superuser_client.post(FIRM_ADD, _firm_form(brn=_dashed(existing.brn)))
    assert response.status_code == 200
    assert "brn" in response.context["adminform"].form.errors


def test_an_error_raised_by_the_service_at_save_time_shows_on_the_form(superuser_client, monkeypatch) -> None:
    firm = FirmFactory()

    def refuse(**kwargs):
        raise ValidationError({"employees": "Refused by the service.", "size_class": "Not derivable."})

    monkeypatch.setattr(firm_services, "firm_update", refuse)
    response = superuser_client.post(
        f"/admin/firms/firm/{firm.pk}/change/", _firm_change_data(firm, name_en="Renamed Ltd")
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["employees"] == ["Refused by the service."]
    assert "Not derivable." in form.non_field_errors()
    firm.refresh_from_db()
    assert firm.name_en != "Renamed Ltd"


def test_a_member_added_inline_joins_the_sme_staff_group(superuser_client) -> None:
    firm = FirmFactory()
    user = UserFactory()
    data = _firm_change_data(
        firm,
        **{
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-user": str(user.pk),
            "memberships-0-role": "member",
        },
    )
    response = superuser_client.post(f"/admin/firms/firm/{firm.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"][0].formset.errors
    assert FirmMembership.objects.filter(firm=firm, user=user).exists()
    assert user.groups.filter(name=Role.SME_STAFF).exists()


def test_firm_search_accepts_a_dashed_registration_number(superuser_client) -> None:
    firm = FirmFactory()
    FirmFactory()
    response = superuser_client.get(f"/admin/firms/firm/?q={_dashed(firm.brn)}")
    assert [f.pk for f in response.context["cl"].result_list] == [firm.pk]


def test_changing_a_threshold_rederives_every_firm(manager_client) -> None:
    firm = FirmFactory(employees=8, annual_revenue_krw=1_200_000_000)
    assert firm.size_class == SizeClass.SMALL
    threshold = SizeClassThreshold.objects.get(sector="design", size_class="small")
    response = manager_client.post(
        f"/admin/firms/sizeclassthreshold/{threshold.pk}/change/",
        {
            "sector": "design",
            "size_class": "small",
            "max_employees": "",
            "max_revenue_krw": "1000000000",
            "legal_basis": threshold.legal_basis,
        },
    )
    assert response.status_code == 302
    firm.refresh_from_db()
    assert firm.size_class == SizeClass.MEDIUM


def test_export_tier_band_bounds_are_checked(manager_client) -> None:
    response = manager_client.post(
        "/admin/firms/exporttierband/add/", {"tier": "global", "min_exports_usd": "10", "max_exports_usd": "5"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors


# --- Programs ------------------------------------------------------------------------------------


def _program_data(program: Program, **overrides) -> dict:
    local = timezone.localtime
    data = {
        "code": program.code,
        "kind": program.kind,
        "fiscal_year": str(program.fiscal_year),
        "title_ko": program.title_ko,
        "title_en": program.title_en,
        "description_ko": "",
        "description_en": "",
        "opens_at_0": local(program.opens_at).date().isoformat(),
        "opens_at_1": local(program.opens_at).strftime("%H:%M:%S"),
        "closes_at_0": local(program.closes_at).date().isoformat(),
        "closes_at_1": local(program.closes_at).strftime("%H:%M:%S"),
        "selection_mode": program.selection_mode,
        "review_target_days": str(program.review_target_days),
        "capacity": str(program.capacity),
        "per_firm_cap": str(program.per_firm_cap),
        "co_funding_share": str(program.co_funding_share),
        "eligible_expenses": list(program.eligible_expenses),
        "officer_assignments-TOTAL_FORMS": "0",
        "officer_assignments-INITIAL_FORMS": "0",
        "eligibility_rules-TOTAL_FORMS": "0",
        "eligibility_rules-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_manager_edits_a_program_without_touching_what_is_allocated(manager_client, program) -> None:
    form_data = _program_data(program, title_en="Export voucher, second call")
    # An approval lands between loading the form and saving it.
    Program.objects.filter(pk=program.pk).update(allocated=4_000_000)
    response = manager_client.post(f"/admin/programs/program/{program.pk}/change/", form_data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    program.refresh_from_db()
    assert program.title_en == "Export voucher, second call"
    assert program.allocated == 4_000_000


def test_capacity_below_what_is_allocated_is_refused_on_the_form(manager_client, program) -> None:
    Program.objects.filter(pk=program.pk).update(allocated=40_000_000)
    response = manager_client.post(
        f"/admin/programs/program/{program.pk}/change/", _program_data(program, capacity="35000000")
    )
    assert response.status_code == 200
    assert "capacity" in response.context["adminform"].form.errors
    program.refresh_from_db()
    assert program.capacity == 100_000_000


def test_program_rules_from_the_model_show_on_the_form(manager_client, program) -> None:
    response = manager_client.post(
        f"/admin/programs/program/{program.pk}/change/",
        _program_data(program, per_firm_cap="200000000", eligible_expenses=None),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "per_firm_cap" in errors and "eligible_expenses" in errors


def test_manager_assigns_an_officer_inline(manager_client, program) -> None:
    newcomer = user_in_group(Role.OFFICER)
    data = _program_data(
        program,
        **{
            "officer_assignments-TOTAL_FORMS": "1",
            "officer_assignments-0-user": str(newcomer.pk),
            "officer_assignments-0-is_lead": "on",
        },
    )
    response = manager_client.post(f"/admin/programs/program/{program.pk}/change/", data)
    assert response.status_code == 302
    assert ProgramOfficer.objects.filter(program=program, user=newcomer, is_lead=True).exists()


def test_only_officers_are_offered_for_assignment(manager_client, program, firm_staff) -> None:
    response = manager_client.get(f"/admin/programs/program/{program.pk}/change/")
    formset = response.context["inline_admin_formsets"][0].formset
    offered = set(formset.empty_form.fields["user"].queryset)
    assert firm_staff not in offered
    assert all(u.groups.filter(name__in=[Role.OFFICER, Role.MANAGER]).exists() for u in offered)


def test_program_changelist_shows_capacity_allocated_and_remaining(officer_client, program) -> None:
    Program.objects.filter(pk=program.pk).update(allocated=25_000_000)
    response = officer_client.get("/en/admin/programs/program/")
    page = response.content.decode()
    assert "100,000,000 KRW" in page and "25,000,000 KRW" in page and "75,000,000 KRW" in page


@pytest.mark.parametrize("query", ["?kind=trade_show", "?fiscal_year=2026", "?selection_mode=fcfs", "?q=voucher"])
def test_program_filters_answer(officer_client, program, query) -> None:
    assert officer_client.get("/admin/programs/program/" + query).status_code == 200


def test_a_countrys_iso_code_cannot_be_edited(manager_client) -> None:
    url = "/admin/programs/country/KR/change/"
    page = manager_client.get(url)
    assert page.status_code == 200
    assert 'name="iso2"' not in page.content.decode()
    country = Country.objects.get(pk="KR")
    response = manager_client.post(
        url,
        {
            "iso2": "XK",
            "iso3": country.iso3,
            "numeric": country.numeric,
            "name_en": country.name_en,
            "name_ko": country.name_ko,
            "is_strategic_target": "on",
        },
    )
    assert response.status_code == 302
    assert not Country.objects.filter(pk="XK").exists()
    assert Country.objects.get(pk="KR").is_strategic_target
