"""`load_demo`: the five source programmes, faithful to the documents, in flight today, with a
consistent history, one sign-in per role, and nothing changed by a second run. The `demo`
fixture (tests/conftest.py) loads it once per test process."""

from datetime import date

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from plans.demo import load_demo
from programmes.choices import Rag, Role
from programmes.models import Funding, Membership, Objective, Programme
from programmes.rules import requires_reason
from risks.models import Risk
from tests.clock import TODAY
from workstreams.assessment import assess_programme
from workstreams.models import Measure, Milestone, StatusUpdate, Workstream


def shift(programme: Programme, year: int) -> int:
    """Years the programme was moved by, from the year its plan started in."""
    return programme.starts_on.year - year


def test_the_five_programmes_are_there_and_in_flight_today(demo, db):
    assert sorted(p.name for p in demo.values()) == [
        "Adult & Housing Transformation Programme",
        "Adult, Community Health & Wellbeing Service Plans 2011-12",
        "Personalisation Programme",
        "Putting People First",
        "Transforming Lives",
    ]
    for programme in demo.values():
        assert programme.starts_on <= TODAY <= programme.ends_on, programme.name
        assert programme.starts_on.day == 1


def test_harrow_has_its_seven_areas_leads_and_natural_order(demo, db):
    harrow = demo["HARROW-TPP"]
    areas = list(harrow.areas.order_by("sort_key").values_list("reference", "name"))
    assert len(areas) == 7
    assert areas[0] == ("1", "Continuous Improvement in Community Services")
    day_services = Workstream.objects.get(programme=harrow, reference="1.1")
    assert day_services.lead.name == "Keith Holmes"
    assert day_services.area.sponsor.name == "Bernie Flaherty"
    references = list(
        Workstream.objects.filter(programme=harrow, area__reference="4").values_list(
            "reference", flat=True
        )
    )
    assert references.index("4.10") == references.index("4.9") + 1


def test_east_sussex_keeps_its_risk_log_and_grant_as_written(demo, db):
    ppf = demo["PPF"]
    rows = {
        risk.reference: (risk.current_likelihood, risk.current_impact, risk.current_band)
        for risk in Risk.objects.filter(programme=ppf, reference__startswith="CF6")
    }
    assert rows == {
        "CF6 - 001": (4, 3, Rag.AMBER),
        "CF6 - 002": (3, 3, Rag.AMBER),
        "CF6 - 003": (4, 2, Rag.AMBER),
        "CF6 - 004": (4, 3, Rag.AMBER),
    }
    assert Risk.objects.get(programme=ppf, reference="CF6 - 001").owner.name == "Charity Thrussell"
    years = shift(ppf, 2008)
    grant = dict(Funding.objects.filter(programme=ppf).values_list("financial_year", "amount"))
    assert grant == {2008 + years: 861000, 2009 + years: 2021000, 2010 + years: 2502000}


def test_cheshire_east_keeps_references_officers_dates_and_the_golden_thread(demo, db):
    plans = demo["ACHW-2011"]
    milestone = Milestone.objects.get(workstream__programme=plans, reference="SCAR001.1")
    assert milestone.owner.name == "Marion Goddard"
    assert milestone.baseline_date == date(2011 + shift(plans, 2011), 2, 24)
    assert milestone.baseline_precision == "day"
    workstream = milestone.workstream
    assert [o.reference for o in workstream.objective.thread()] == ["CP-03", "DADU001", "SCAR001"]
    measure = Measure.objects.get(workstream__programme=plans, reference="MCAR001")
    assert measure.targets.count() == 3


def test_cambridgeshire_and_torbay_have_their_decisions_and_themes(demo, db):
    committee = Milestone.objects.filter(
        workstream__programme=demo["TL"], kind="key_decision", forum="Adult Committee"
    )
    assert committee.count() >= 4
    themes = set(Workstream.objects.filter(programme=demo["PERS"]).values_list("name", flat=True))
    assert {"Self Directed Support", "Workforce", "Assurances"} <= themes


def test_the_history_is_mixed_and_consistent(demo, db):
    harrow = demo["HARROW-TPP"]
    rating = assess_programme(harrow, TODAY)
    milestone_rags = [m.result.rag for w in rating.workstreams for m in w.milestones]
    for rag in (Rag.COMPLETE, Rag.GREEN, Rag.RED, Rag.AMBER):
        assert rag in milestone_rags
    slipped = Milestone.objects.filter(workstream__programme=harrow, forecast_date__isnull=False)
    assert slipped.exists()
    for update in StatusUpdate.objects.filter(workstream__programme=harrow, state="submitted"):
        assert update.period.month <= TODAY
        if requires_reason(update.rag):
            assert update.reason, update
    history = Milestone.history.filter(workstream__programme=harrow)
    assert history.filter(history_date__date__lt=harrow.starts_on).count() == 0
    assert history.filter(history_date__date__gt=TODAY).count() == 0


def test_there_is_one_sign_in_per_role(demo, db):
    users = get_user_model().objects
    for username in ["board", "sponsor", "manager", "lead", "office", "admin"]:
        assert users.get(username=username).check_password(settings.DEMO_PASSWORD)
    assert users.get(username="admin").is_superuser
    lead_roles = Membership.objects.filter(person__user__username="lead")
    assert set(lead_roles.values_list("role", "workstream__reference")) == {
        (Role.WORKSTREAM_LEAD, "1.2"),
        (Role.WORKSTREAM_LEAD, "1.4"),
    }
    assert (
        Membership.objects.filter(person__user__username="board", role=Role.BOARD_MEMBER).count()
        == 5
    )


def test_running_it_again_changes_nothing(demo, db):
    """Every model's rows, the history's among them (issue 18), and the latest change of each
    history, are the same after a second run."""
    history_models = [
        m
        for m in apps.get_models()
        if m.__name__.startswith("Historical")
        and any(f.name == "history_date" for f in m._meta.fields)
    ]
    assert len(history_models) > 20

    def counts():
        return {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label not in ("sessions", "contenttypes")
        } | {
            f"{model._meta.label} latest": model._base_manager.order_by("-history_date")
            .values_list("history_date", flat=True)
            .first()
            for model in history_models
        }

    before = counts()
    assert before["workstreams.HistoricalBudgetLine"] > before["workstreams.BudgetLine"] * 3
    assert before["reporting.HistoricalChangeRequest"] > 0
    assert load_demo(today=TODAY, log=lambda *args: None) == []
    assert counts() == before
    assert Objective.objects.filter(reference="CP-01").count() == 1


def test_the_portfolio_sign_in_is_harrows_portfolio_office_and_creates_programmes(demo, db, client):
    from programmes.models import OrganisationRole
    from programmes.permissions import organisations_creating_programmes

    portfolio = get_user_model().objects.get(username="portfolio")
    assert portfolio.check_password(settings.DEMO_PASSWORD)
    [role] = OrganisationRole.objects.filter(person__user=portfolio)
    assert (role.role, role.organisation) == (
        Role.PORTFOLIO_OFFICE,
        demo["HARROW-TPP"].organisation,
    )
    assert list(organisations_creating_programmes(portfolio)) == [role.organisation]
    assert not Membership.objects.filter(person__user=portfolio).exists()
    client.force_login(portfolio)
    assert client.get(reverse("programme_add")).status_code == 200


def test_the_readme_names_every_demo_sign_in():
    from pathlib import Path

    from plans.demo import SIGN_INS

    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    for sign_in in SIGN_INS:
        assert f"| `{sign_in.username}` |" in readme, sign_in.username
        if sign_in.person_name:
            assert f"({sign_in.person_name})" in readme, sign_in.person_name
