"""The plan-upkeep pages of issue 11 run a fixed number of queries whatever the size of the
plan (STYLE.md: "a page is a few queries whatever the data size"): each is read on a small
plan and on one four times larger, with the same most queries.

The larger plan has four times the areas, the workstreams of an area, their milestones,
dependencies and supporters, the measures and targets, the budget lines, the objectives, the
key documents, the people, their roles and invitations, and the history of each.

The bulk milestone update, sent, reads and checks its rows in a fixed number of queries too;
saving writes each changed milestone as the single update does, a fixed cost a row."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape

from programmes.choices import MembershipSource, ObjectiveLevel, Role
from programmes.models import (
    Invitation,
    KeyDocument,
    Membership,
    Objective,
    OutcomeCategory,
    Person,
    Programme,
    ProgrammeArea,
)
from programmes.tokens import invitation_tokens, link_parts
from tests.clock import TODAY, frozen_clock
from tests.factories import (
    AreaFactory,
    BudgetLineFactory,
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PeriodFactory,
    PersonFactory,
    ProgrammeFactory,
    RiskFactory,
    StatusUpdateFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
    grant_portfolio_office,
)
from tests.html_forms import form_with
from workstreams.models import (
    BudgetLine,
    Measure,
    MeasureTarget,
    Milestone,
    ProgressNote,
    Workstream,
)

SMALL, LARGE = 2, 8


@dataclass
class Plan:
    programme: Programme
    office: object  # the programme office's user
    portfolio: object  # the portfolio office's user
    manager: object  # the project manager's user, of the area with `size` workstreams
    lead: object  # the focus workstream's lead's user
    invited: object  # a user invited and not yet signed in
    areas: list[ProgrammeArea]
    area: ProgrammeArea  # the area with `size` workstreams
    workstreams: list[Workstream]  # the area's
    workstream: Workstream  # the workstream with `size` of everything
    measure: Measure
    targets: list[MeasureTarget]
    lines: list[BudgetLine]
    line: BudgetLine
    objectives: list[Objective]  # the service objectives
    objective: Objective
    people: list[Person]  # given a role each
    person: Person
    membership: Membership  # a granted role, which may be removed


def build_plan(size: int) -> Plan:
    programme = ProgrammeFactory()
    organisation = programme.organisation
    period = PeriodFactory(programme=programme, month=TODAY.replace(day=1))
    office = UserFactory()
    grant(office, Role.PROGRAMME_OFFICE, programme=programme)
    portfolio = UserFactory()
    grant_portfolio_office(portfolio, organisation)
    for _ in range(size):
        grant_portfolio_office(UserFactory(), organisation)
    programme.senior_responsible_owner = PersonFactory(organisation=organisation)
    programme.save()
    for number in range(size):  # the programme's own history
        programme.board_name = f"Board {number}"
        programme.save()

    # The golden thread: a corporate objective, `size` directorate ones, a service one under each.
    corporate = Objective.objects.create(
        organisation=organisation, level=ObjectiveLevel.CORPORATE, reference="C1", title="Thrive"
    )
    services = []
    for number in range(size):
        directorate = Objective.objects.create(
            organisation=organisation,
            level=ObjectiveLevel.DIRECTORATE,
            reference=f"C1.{number + 1}",
            title=f"Directorate {number}",
            parent=corporate,
        )
        services.append(
            Objective.objects.create(
                organisation=organisation,
                level=ObjectiveLevel.SERVICE,
                reference=f"C1.{number + 1}.1",
                title=f"Service {number}",
                parent=directorate,
            )
        )

    # `size` areas; the first with `size` workstreams and key documents, the others one each.
    areas = [
        AreaFactory(
            programme=programme,
            reference=str(number + 1),
            sponsor=PersonFactory(organisation=organisation),
            project_manager=PersonFactory(organisation=organisation),
        )
        for number in range(size)
    ]
    area = areas[0]
    for number in range(size):
        KeyDocument.objects.create(
            area=area, title=f"Strategy {number}", url="https://example.org", position=number
        )
        area.project_manager = PersonFactory(organisation=organisation)  # a change in its history
        area.save()
    categories = list(OutcomeCategory.objects.all())
    workstreams = []
    previous = None
    for index in range(size + len(areas) - 1):
        in_area = areas[0] if index < size else areas[index - size + 1]
        workstream = WorkstreamFactory(
            area=in_area,
            reference=f"{in_area.reference}.{index + 1}",
            lead=PersonFactory(organisation=organisation),
            objective=services[index % size],
        )
        workstream.outcome_categories.set(categories[: index % 3 + 1])
        workstream.supported_by.set([PersonFactory(organisation=organisation)])
        for number in range(size):
            milestone = MilestoneFactory(
                workstream=workstream,
                reference=f"{workstream.reference}.{number + 1}",
                baseline_date=TODAY + timedelta(days=20 * number - 30),
                forecast_date=TODAY + timedelta(days=20 * number - 20),
            )
            ProgressNote.objects.create(milestone=milestone, noted_on=TODAY, text="On track")
            if number:
                milestone.depends_on.add(previous)
            previous = milestone
        StatusUpdateFactory(workstream=workstream, period=period, rag="amber", reason="Slipping")
        BudgetLineFactory(  # a variance on the dashboard, explained by every other one
            workstream=workstream,
            description=f"Delivery {index}",
            allocated=Decimal(1000),
            forecast=Decimal(900),
            variance_explanation=f"Underspend {index} explained" if index % 2 else "",
        )
        workstreams.append(workstream)
    focus = workstreams[0]
    # Dependencies shown both ways: on some of the area's workstreams, and of the others on it.
    others = workstreams[1:size]
    focus.depends_on.set(others[::2])
    for other in others[1::2]:
        other.depends_on.add(focus)
    lead = UserFactory()
    focus.lead.user = lead
    focus.lead.save()
    manager = UserFactory()
    area.project_manager.user = manager
    area.project_manager.save()

    measures = []
    for number in range(size):
        measure = MeasureFactory(workstream=focus, reference=f"NI {number + 1}")
        for month in range(size):
            MeasureTargetFactory(
                measure=measure,
                financial_year=None,
                due_date=date(2027, 1, 1) + timedelta(days=31 * month),
                value=Decimal(10 * month),
            )
        for month in range(size):
            MeasureReadingFactory(measure=measure, period=date(2026, month + 1, 1))
        RiskFactory(programme=programme, workstream=focus, owner=focus.lead)
        measures.append(measure)
    lines = []
    for number in range(size):
        line = BudgetLineFactory(
            workstream=focus,
            financial_year=2026 + number % 2,
            description=f"Line {number}",
            funding_source="Grant",
            allocated=Decimal(1000),
            spent=Decimal(400),
            forecast=Decimal(1200),
            variance_explanation="Agency staff cover vacancies",
        )
        line.forecast = Decimal(1250)
        line.save()
        lines.append(line)

    # People of the programme: board members given roles, some invited to sign in.
    granted = []
    for number in range(size):
        person = PersonFactory(
            organisation=organisation,
            email=f"person{number}@plan{size}.example.org",
            job_title="Officer",
        )
        granted.append(
            Membership.objects.create(
                person=person,
                role=Role.BOARD_MEMBER,
                programme=programme,
                source=MembershipSource.GRANTED,
            )
        )
        PersonFactory(organisation=organisation)  # no role yet
    invited = None
    for membership in granted:
        person = membership.person
        person.user = UserFactory(username=person.email)
        person.user.set_unusable_password()
        person.user.save()
        person.save()
        invited = invited or person.user
        Invitation.objects.create(person=person, programme=programme, email=person.email)

    # Every change was made by the programme office, whose name the history shows.
    for model in (
        Programme,
        ProgrammeArea,
        KeyDocument,
        Workstream,
        Milestone,
        Measure,
        MeasureTarget,
        BudgetLine,
        Objective,
        Person,
        Membership,
        Invitation,
    ):
        model.history.update(history_user=office)
    return Plan(
        programme=programme,
        office=office,
        portfolio=portfolio,
        manager=manager,
        lead=lead,
        invited=invited,
        areas=areas,
        area=area,
        workstreams=workstreams[:size],
        workstream=focus,
        measure=measures[0],
        targets=list(measures[0].targets.all()),
        lines=lines,
        line=lines[0],
        objectives=services,
        objective=services[0],
        people=[membership.person for membership in granted],
        person=granted[0].person,
        membership=granted[-1],
    )


@pytest.fixture(scope="module")
def _plans(django_db_setup, django_db_blocker) -> dict[int, Plan]:
    """The small and the large plan, built once for the module (a large one takes seconds)
    inside a transaction rolled back after its last test; each test's own writes are rolled
    back after it, as usual, so every test sees the plans as built."""
    with django_db_blocker.unblock(), frozen_clock(), transaction.atomic():
        yield {size: build_plan(size) for size in (SMALL, LARGE)}
        transaction.set_rollback(True)


@pytest.fixture
def plan_of(_plans, db):
    """The plan of a size, as built, for a test in its own rolled-back transaction."""

    def of(size: int) -> Plan:
        plan = _plans[size]
        for user in (plan.office, plan.portfolio, plan.manager, plan.lead, plan.invited):
            user.refresh_from_db()
        return plan

    return of


def _invitation(plan: Plan) -> list:
    return list(link_parts(plan.invited, invitation_tokens))


def _names(things) -> list[str]:
    return [thing.name for thing in things]


def _milestones(workstreams) -> list[str]:
    return list(
        Milestone.objects.filter(workstream__in=workstreams).values_list("reference", flat=True)
    )


def _nothing(plan: Plan) -> list[str]:
    return []


# (page, its arguments, who asks, most queries, what it must show of the plan's size)
PAGES = [
    ("programme_add", lambda p: [], "portfolio", 8, lambda p: _names(p.people)),
    (
        "programme_settings",
        lambda p: [p.programme.pk],
        "office",
        8,
        lambda p: [f"Board {len(p.areas) - 1}"],
    ),
    ("programme_people", lambda p: [p.programme.pk], "office", 19, lambda p: _names(p.people)),
    ("programme_people", lambda p: [p.programme.pk], "lead", 15, lambda p: _names(p.people)),
    ("programme_person_add", lambda p: [p.programme.pk], "office", 6, _nothing),
    (
        "programme_person_edit",
        lambda p: [p.programme.pk, p.person.pk],
        "office",
        7,
        lambda p: [p.person.email],
    ),
    (
        "programme_person_invite",
        lambda p: [p.programme.pk, p.person.pk],
        "office",
        7,
        lambda p: [p.person.email],
    ),
    (
        "programme_role_add",
        lambda p: [p.programme.pk],
        "office",
        9,
        lambda p: _names([*p.people, *p.areas, *p.workstreams]),
    ),
    ("programme_role_add", lambda p: [p.programme.pk], "portfolio", 7, lambda p: _names(p.people)),
    (
        "programme_role_remove",
        lambda p: [p.programme.pk, p.membership.pk],
        "office",
        8,
        lambda p: [p.membership.person.name],
    ),
    ("invitation_accept", _invitation, None, 1, lambda p: [p.invited.username]),
    ("area_list", lambda p: [p.programme.pk], "office", 13, lambda p: _names(p.areas)),
    (
        "area_detail",
        lambda p: [p.area.pk],
        "office",
        17,
        lambda p: [*_names(p.workstreams), *p.area.documents.values_list("title", flat=True)],
    ),
    ("programme_area_add", lambda p: [p.programme.pk], "office", 8, lambda p: _names(p.people)),
    ("area_edit", lambda p: [p.area.pk], "office", 8, lambda p: _names(p.people)),
    (
        "area_documents",
        lambda p: [p.area.pk],
        "office",
        7,
        lambda p: list(p.area.documents.values_list("title", flat=True)),
    ),
    ("area_close", lambda p: [p.area.pk], "office", 7, lambda p: _names(p.workstreams)),
    (
        "workstream_add",
        lambda p: [p.area.pk],
        "office",
        10,
        lambda p: [*_names(p.workstreams), *(o.title for o in p.objectives)],
    ),
    (
        "workstream_edit",
        lambda p: [p.workstream.pk],
        "office",
        17,
        lambda p: [*_names(p.workstreams), *_names(p.areas)],
    ),
    (
        "workstream_edit",
        lambda p: [p.workstream.pk],
        "manager",
        17,
        lambda p: _names(p.workstreams),
    ),
    (
        "workstream_close",
        lambda p: [p.workstream.pk],
        "office",
        9,
        lambda p: _milestones([p.workstream]),
    ),
    (
        "workstream_detail",
        lambda p: [p.workstream.pk],
        "office",
        44,  # issue 15: the milestones' history for the trend; as-at; dependency warnings
        lambda p: [
            *_milestones([p.workstream]),
            *(line.description for line in p.lines),
            *_names(p.workstreams),
        ],
    ),
    (
        "workstream_detail",
        lambda p: [p.workstream.pk],
        "lead",
        44,  # issue 15: the milestones' history for the trend; as-at; dependency warnings
        lambda p: [*_milestones([p.workstream]), *(line.description for line in p.lines)],
    ),
    (
        "programme_detail",
        lambda p: [p.programme.pk],
        "office",
        # Issue 15: the period's exceptions (narratives, raised) and the latest report; issue
        # 16: the benefits and their years.
        25,
        lambda p: [f"Underspend {index} explained" for index in range(1, len(p.areas), 2)],
    ),
    (
        "programme_objectives",
        lambda p: [p.programme.pk],
        "office",
        16,
        lambda p: [*(o.title for o in p.objectives), *_names(p.workstreams)],
    ),
    (
        "objective_add",
        lambda p: [p.programme.pk],
        "portfolio",
        7,
        lambda p: [o.parent.title for o in p.objectives],
    ),
    (
        "objective_edit",
        lambda p: [p.programme.pk, p.objective.pk],
        "portfolio",
        8,
        lambda p: [o.parent.title for o in p.objectives],
    ),
    ("measure_add", lambda p: [p.workstream.pk], "office", 7, lambda p: _names(p.people)),
    ("measure_add", lambda p: [p.workstream.pk], "manager", 7, lambda p: _names(p.people)),
    ("measure_edit", lambda p: [p.measure.pk], "office", 7, lambda p: [p.measure.title]),
    (
        "measure_targets",
        lambda p: [p.measure.pk],
        "manager",
        7,
        lambda p: [f"target-{len(p.targets) - 1}-value"],
    ),
    (
        "workstream_budget",
        lambda p: [p.workstream.pk],
        "office",
        8,
        lambda p: [line.description for line in p.lines],
    ),
    ("budget_line_add", lambda p: [p.workstream.pk], "office", 6, _nothing),
    ("budget_line_add", lambda p: [p.workstream.pk], "manager", 6, _nothing),
    ("budget_line_edit", lambda p: [p.line.pk], "office", 6, lambda p: [p.line.description]),
    ("budget_line_edit", lambda p: [p.line.pk], "lead", 6, lambda p: [p.line.description]),
    ("budget_line_remove", lambda p: [p.line.pk], "office", 6, lambda p: [p.line.description]),
    (
        "workstream_milestones_update",
        lambda p: [p.workstream.pk],
        "lead",
        8,
        lambda p: _milestones([p.workstream]),
    ),
    (
        "area_milestones_update",
        lambda p: [p.area.pk],
        "office",
        8,
        lambda p: _milestones(p.workstreams),
    ),
    (
        "area_milestones_update",
        lambda p: [p.area.pk],
        "manager",
        8,
        lambda p: _milestones(p.workstreams),
    ),
]


@pytest.mark.parametrize("size", [SMALL, LARGE])
@pytest.mark.parametrize(
    "name, arguments, who, most, shows",
    PAGES,
    ids=[f"{name}-{who or 'anonymous'}" for name, _a, who, _m, _s in PAGES],
)
def test_each_page_runs_a_fixed_number_of_queries(
    client, plan_of, size, name, arguments, who, most, shows, django_assert_max_num_queries
):
    plan = plan_of(size)
    if who is not None:
        client.force_login(getattr(plan, who))
    url = reverse(name, args=arguments(plan))

    with django_assert_max_num_queries(most):
        response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    missing = [text for text in shows(plan) if escape(text) not in html]
    assert not missing, f"{name} does not show {missing}"


# ----- The bulk milestone update, sent -----

BULK = [
    ("workstream_milestones_update", lambda p: [p.workstream.pk], "lead"),
    ("area_milestones_update", lambda p: [p.area.pk], "manager"),
]
BULK_IDS = [name for name, _a, _w in BULK]

# Saving one changed row is the single update's save: its version checked (with the lock),
# the milestone and its history written (simple-history reading its dependencies to record
# them), the note and its history written, and three savepoints opened and released; the
# programme's change counter raised for the milestone and for the note (issue 17: what the
# pages keep is computed again after a change); and one more to record each of the
# milestone's dependencies in its history.
SAVING_A_ROW = 14
RECORDING_A_DEPENDENCY = 1


def _saving(rows: list[int]) -> int:
    """The queries that saving these rows costs: fixed for each, whatever the plan's size."""
    links = Milestone.depends_on.through.objects.filter(from_milestone_id__in=rows).count()
    return SAVING_A_ROW * len(rows) + RECORDING_A_DEPENDENCY * links


def _bulk_page(client, plan: Plan, name, arguments, who) -> tuple[str, dict, list[int]]:
    """The page's url, its form as the browser would send it unchanged, and its rows."""
    client.force_login(getattr(plan, who))
    url = reverse(name, args=arguments(plan))
    html = client.get(url).content.decode()
    rows = [int(pk) for pk in re.findall(r'name="m(\d+)-note"', html)]
    return url, form_with(html, f"m{rows[0]}-note").data(), rows


@pytest.mark.parametrize("size", [SMALL, LARGE])
@pytest.mark.parametrize("name, arguments, who", BULK, ids=BULK_IDS)
def test_a_bulk_update_of_one_row_runs_a_fixed_number_of_queries(
    client, plan_of, size, name, arguments, who, django_assert_max_num_queries
):
    """The rows sent back as they were cost nothing to check: only the changed one is saved."""
    plan = plan_of(size)
    url, data, rows = _bulk_page(client, plan, name, arguments, who)
    data[f"m{rows[-1]}-note"] = "Venue booked"

    with django_assert_max_num_queries(8 + _saving(rows[-1:])):
        response = client.post(url, data)

    assert response.status_code == 302
    assert ProgressNote.objects.filter(milestone_id=rows[-1], text="Venue booked").exists()


@pytest.mark.parametrize("size", [SMALL, LARGE])
@pytest.mark.parametrize("name, arguments, who", BULK, ids=BULK_IDS)
def test_a_bulk_update_refused_runs_a_fixed_number_of_queries(
    client, plan_of, size, name, arguments, who, django_assert_max_num_queries
):
    """Every row changed, one of them someone else changed meanwhile: nothing is saved, and
    the page comes back with the conflict on its row."""
    plan = plan_of(size)
    url, data, rows = _bulk_page(client, plan, name, arguments, who)
    for pk in rows:
        data[f"m{pk}-note"] = "Venue booked"
    Milestone.objects.get(pk=rows[0]).save()  # someone else's change

    # Every row is tried, so that every refusal is shown at once, then all rolled back.
    with django_assert_max_num_queries(13 + _saving(rows)):
        response = client.post(url, data)

    assert response.status_code == 409
    assert not ProgressNote.objects.filter(text="Venue booked").exists()


@pytest.mark.parametrize("size", [SMALL, LARGE])
@pytest.mark.parametrize("name, arguments, who", BULK, ids=BULK_IDS)
def test_a_bulk_update_of_every_row_costs_the_same_for_each_row(
    client, plan_of, size, name, arguments, who, django_assert_max_num_queries
):
    """Reading and checking the rows is a fixed number of queries; each changed milestone is
    then saved as a single update saves it, which costs the same for every row."""
    plan = plan_of(size)
    url, data, rows = _bulk_page(client, plan, name, arguments, who)
    for pk in rows:
        data[f"m{pk}-note"] = "Venue booked"

    with django_assert_max_num_queries(8 + _saving(rows)):
        response = client.post(url, data)

    assert response.status_code == 302
    assert ProgressNote.objects.filter(text="Venue booked").count() == len(rows)
