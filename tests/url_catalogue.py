"""Every URL of the site, read from the URL resolver, with the HTTP methods it accepts and its
arguments filled in from a fixture plan: what the permission matrix
(tests/test_permission_matrix.py) and the query fuzz (tests/test_query_fuzz.py) walk.

Reading the routes from the resolver, rather than from a list kept by hand, is what makes a
new page without an entry in those tests fail them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from plans.models import PlanImportJob
from programmes.choices import Role
from programmes.dates import FinancialYear, add_months, month_start
from programmes.models import Membership, Objective
from programmes.tokens import invitation_tokens, link_parts, reset_tokens
from reporting.calendars import create_calendar_feed
from reporting.models import (
    BoardPack,
    ChangeMilestone,
    ChangeRequest,
    RaisedException,
    ReportRun,
    RunStatus,
)
from reporting.narratives import exceptions_for_period
from risks.models import (
    ActionItem,
    AgendaItem,
    BoardMeeting,
    CommunicationItem,
    Decision,
    Issue,
    IssueAction,
    Lesson,
    MeetingPaper,
    MitigationAction,
    Stakeholder,
)
from tests.factories import (
    BudgetLineFactory,
    MeasureFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    PeriodFactory,
    PersonFactory,
    RiskFactory,
    StatusUpdateFactory,
)
from workstreams.models import Benefit, BenefitYear

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Routes neither test walks, and why. Everything else the resolver knows must be listed.
EXEMPT_NAMESPACES = {
    "admin": "Django's admin: superusers only, Django's own permission checks",
}
EXEMPT_NAMES = {
    "api_schema": "the OpenAPI schema: the same for every signed-in user, no programme data",
    "api_docs": "Swagger UI over the schema: no programme data",
}


@dataclass(frozen=True)
class Route:
    name: str  # as `reverse` takes it: "milestone_detail", "api:milestone-detail"
    callback: object
    arguments: tuple[str, ...]
    methods: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")


def accepted_methods(callback) -> tuple[str, ...]:
    """The methods a view answers: a DRF route's actions, a class-based view's handlers, or
    a function view's `require_http_methods` list (GET and POST when it has none)."""
    actions = getattr(callback, "actions", None)
    if actions is not None:
        allowed = set(callback.cls.http_method_names)
        return tuple(m.upper() for m in METHODS if m.lower() in actions and m.lower() in allowed)
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return tuple(
            m
            for m in METHODS
            if m.lower() in view_class.http_method_names and hasattr(view_class, m.lower())
        )
    func = callback
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            value = cell.cell_contents
            if (
                isinstance(value, (list, tuple))
                and value
                and all(isinstance(item, str) and item in (*METHODS, "HEAD") for item in value)
            ):
                return tuple(m for m in METHODS if m in value)
        func = getattr(func, "__wrapped__", None)
    return ("GET", "POST")


def _walk(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXEMPT_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            if entry.name in EXEMPT_NAMES:
                continue
            yield Route(
                name=name or f"(unnamed: {entry.pattern})",
                callback=entry.callback,
                arguments=tuple(entry.pattern.regex.groupindex),
                methods=accepted_methods(entry.callback),
            )


def all_routes() -> list[Route]:
    """Every named route the site serves, but for the exempt ones above."""
    return sorted(_walk(get_resolver().url_patterns), key=lambda route: route.name)


# ----- A plan with one of everything, in workstream 1.1 of area one -----


def make_world(plan, *, chair=None, feed_user=None, action_owner=None) -> dict:
    """One of each object a URL may name, all in workstream 1.1 (area one) of the plan: a
    period this month and a closed one last month with a finished report, an overdue
    milestone (so that the period has an exception), a measure with a reading, a status
    update, a risk with a mitigation action, an issue with an action, a board meeting held
    yesterday with a decision on its agenda, an agenda item with a paper and an action on the
    action log (owned by `action_owner`, else by Olu Owner), a budget line and a calendar
    link."""
    programme, workstream = plan["programme"], plan["ws_1_1"]
    today = timezone.localdate()
    this_month = month_start(today)
    period = PeriodFactory(
        programme=programme, month=this_month, cut_off=this_month + timedelta(days=20)
    )
    closed = PeriodFactory(
        programme=programme,
        month=add_months(this_month, -1),
        cut_off=add_months(this_month, -1) + timedelta(days=20),
        status="closed",
    )
    milestone = MilestoneFactory(
        workstream=workstream, reference="1.1.1", baseline_date=today - timedelta(days=40)
    )
    measure = MeasureFactory(workstream=workstream)
    risk = RiskFactory(programme=programme, area=plan["area_one"], workstream=workstream)
    issue = Issue.objects.create(
        programme=programme,
        area=plan["area_one"],
        workstream=workstream,
        reference="I1",
        title="Venue lost",
        description="The venue closed",
        severity="high",
        raised_on=today - timedelta(days=3),
    )
    owner = PersonFactory(organisation=programme.organisation, name="Olu Owner")
    meeting = BoardMeeting.objects.create(
        programme=programme, held_on=today - timedelta(days=1), chair=chair
    )
    world = {
        "programme": programme,
        "area": plan["area_one"],
        "workstream": workstream,
        "period": period,
        "closed_period": closed,
        "milestone": milestone,
        "measure": measure,
        "reading": MeasureReadingFactory(measure=measure, period=this_month),
        "status_update": StatusUpdateFactory(workstream=workstream, period=period),
        "budget_line": BudgetLineFactory(workstream=workstream),
        "risk": risk,
        "mitigation": MitigationAction.objects.create(
            risk=risk, description="Find a venue", owner=owner, due_date=today + timedelta(days=5)
        ),
        "issue": issue,
        "issue_action": IssueAction.objects.create(
            issue=issue,
            description="Tell the families",
            owner=owner,
            due_date=today + timedelta(days=5),
        ),
        "meeting": meeting,
        "decision": Decision.objects.create(
            programme=programme,
            reference="D1",
            title="Approve the new venue",
            meeting=meeting,
            workstream=workstream,
        ),
        "run": ReportRun.objects.create(
            programme=programme,
            period=closed,
            kind="highlight",
            version=1,
            status=RunStatus.DONE,
            file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="highlight.pdf"),
        ),
    }
    # Issue 14: the meeting's agenda item, its paper, and an action arising from it.
    world["paper"] = MeetingPaper.objects.create(
        meeting=meeting,
        title="Venue options",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="venue-options.pdf"),
        file_name="venue-options.pdf",
        kind="pdf",
        size_bytes=15,
    )
    world["agenda_item"] = AgendaItem.objects.create(
        meeting=meeting, position=1, title="The new venue", paper=world["paper"]
    )
    world["action_item"] = ActionItem.objects.create(
        programme=programme,
        number=1,
        meeting=meeting,
        agenda_item=world["agenda_item"],
        description="Visit the new venue",
        owner=action_owner or owner,
        due_date=today + timedelta(days=7),
    )
    world["plan_import_job"] = PlanImportJob.objects.create(
        programme=programme,
        kind="check",
        file_name="plan-imports/gone.xlsx",
        status="failed",
        error="The uploaded file is no longer kept: upload it again.",
    )
    # Issue 11, part B: an objective of the organisation, for the golden thread's pages.
    world["objective"] = Objective.objects.create(
        organisation=programme.organisation,
        reference="CP-01",
        level="corporate",
        title="Healthier, more independent lives",
    )
    # Issue 11, part A: a person of the plan, a role of theirs, and a link inviting them.
    world["person"] = owner
    world["membership"] = Membership.objects.create(
        person=owner, role=Role.BOARD_MEMBER, programme=programme
    )
    invited = get_user_model().objects.create_user(
        username="olu.owner", email="olu.owner@example.org", password=None
    )
    owner.user = invited
    owner.save(update_fields=["user"])
    world["invitation_link"] = link_parts(invited, invitation_tokens)
    world["password_reset_link"] = link_parts(invited, reset_tokens)  # issue 12
    if feed_user is not None:
        world["feed"] = create_calendar_feed(None, by=feed_user)
    # Issue 14, part 3: the meeting's board pack, made.
    world["board_pack"] = BoardPack.objects.create(
        programme=programme,
        meeting=meeting,
        version=1,
        status=RunStatus.DONE,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="board-pack.pdf"),
        pages=1,
    )
    # Issue 14, parts 5 and 6: a change request awaiting a decision that moves the milestone,
    # and a scope exception raised by hand, both in workstream 1.1.
    world["change"] = ChangeRequest.objects.create(
        programme=programme,
        area=plan["area_one"],
        workstream=workstream,
        reference="CR-001",
        title="Extend the consultation",
        description="Consult staff for six more weeks",
        raised_on=today - timedelta(days=10),
        status="submitted",
    )
    ChangeMilestone.objects.create(
        change=world["change"], milestone=milestone, new_date=today + timedelta(days=20)
    )
    world["raised_exception"] = RaisedException.objects.create(
        programme=programme,
        area=plan["area_one"],
        workstream=workstream,
        kind="scope",
        title="Day centre places cut",
        description="Two of the five day centres will not reopen",
        raised_on=today - timedelta(days=2),
    )
    # Issue 16, part 1: a benefit of the programme, owned by the action's owner, with a
    # planned amount this financial year (which has begun, so its realisation may be recorded).
    world["benefit"] = Benefit.objects.create(
        programme=programme,
        reference="B1",
        title="Fewer residential placements",
        owner=action_owner or owner,
    )
    world["benefit"].workstreams.add(workstream)
    world["benefit_year"] = BenefitYear.objects.create(
        benefit=world["benefit"],
        financial_year=FinancialYear.containing(today).start_year,
        planned=Decimal("120000"),
    )
    # Issue 16, parts 4 and 5: a lesson of workstream 1.1, a stakeholder, and a line of the
    # communications plan to them, owned by the action's owner.
    world["lesson"] = Lesson.objects.create(
        programme=programme,
        number=1,
        workstream=workstream,
        what_happened="The venue was lost a week before the consultation",
        what_we_learned="Book venues early",
        do_differently="Hold two venues for every event",
        category="planning",
        raised_on=today - timedelta(days=1),
    )
    world["stakeholder"] = Stakeholder.objects.create(
        programme=programme, name="ACM Managers", code="ACM", interest=5, influence=3
    )
    world["communication"] = CommunicationItem.objects.create(
        programme=programme,
        message="How the programme is going",
        channel="Highlight report",
        frequency="monthly",
        owner=action_owner or owner,
        next_on=today,
    )
    world["communication"].audience.add(world["stakeholder"])
    # The overdue milestone's exception, by its key ("milestone:12"), as its pages name it.
    breaches = exceptions_for_period(period).breaches
    world["breach_key"] = next(
        breach.key for breach in breaches if breach.key == f"milestone:{milestone.pk}"
    )
    return world


# What each URL argument names, by the argument's name; `action_id` and the API's `pk`
# depend on the route.
ARGUMENT_OBJECTS = {
    "programme_id": "programme",
    "workstream_id": "workstream",
    "period_id": "period",
    "update_id": "status_update",
    "milestone_id": "milestone",
    "measure_id": "measure",
    "risk_id": "risk",
    "issue_id": "issue",
    "decision_id": "decision",
    "meeting_id": "meeting",
    "run_id": "run",
    "job_id": "plan_import_job",
    "area_id": "area",
    "line_id": "budget_line",  # issue 11, part C: budget lines
    "objective_id": "objective",
    "person_id": "person",
    "membership_id": "membership",
    "change_id": "change",  # issue 14, part 5
    "raised_id": "raised_exception",  # issue 14, part 6
    "item_id": "agenda_item",  # issue 14
    "paper_id": "paper",
    "action_item_id": "action_item",
    "pack_id": "board_pack",  # issue 14, part 3
    "lesson_id": "lesson",  # issue 16, parts 4 and 5
    "stakeholder_id": "stakeholder",
    "communication_id": "communication",
    "benefit_id": "benefit",  # issue 16, part 1
}
# The identity provider the single sign-on routes name (issue 12): tests that need it
# running configure it under this id; elsewhere no provider is configured and they answer 404.
SINGLE_SIGN_ON_PROVIDER = "oidc"
ACTION_OBJECTS = {"mitigation_done": "mitigation", "issue_action_done": "issue_action"}
# The API's routes are named by model: "api:measurereading-detail".
API_OBJECTS = {
    "programme": "programme",
    "programmearea": "area",
    "reportingperiod": "period",
    "workstream": "workstream",
    "milestone": "milestone",
    "measure": "measure",
    "measurereading": "reading",
    "statusupdate": "status_update",
    "budgetline": "budget_line",
    "risk": "risk",
    "issue": "issue",
    "decision": "decision",
    "boardmeeting": "meeting",
}


def url_for(route: Route, world: dict) -> str:
    """The route's URL for the objects of `make_world`."""
    kwargs = {}
    for argument in route.arguments:
        if argument == "pk":
            basename = route.name.removeprefix("api:").rsplit("-", 1)[0]
            kwargs["pk"] = world[API_OBJECTS[basename]].pk
        elif argument == "action_id":
            kwargs["action_id"] = world[ACTION_OBJECTS[route.name]].pk
        elif argument == "month":
            kwargs["month"] = world["reading"].period.isoformat()
        elif route.name == "invitation_accept":
            kwargs[argument] = world["invitation_link"][argument == "token"]
        elif route.name == "password_reset_link":
            kwargs[argument] = world["password_reset_link"][argument == "token"]
        elif argument == "provider":
            kwargs["provider"] = SINGLE_SIGN_ON_PROVIDER
        elif argument == "token":
            kwargs["token"] = world["feed"].token
        elif argument == "year":  # issue 16: a benefit's financial year
            kwargs["year"] = world["benefit_year"].financial_year
        elif argument == "kind":
            kwargs["kind"] = world["breach_key"].split(":")[0]
        elif argument == "object_id":
            kwargs["object_id"] = int(world["breach_key"].split(":")[1])
        else:
            kwargs[argument] = world[ARGUMENT_OBJECTS[argument]].pk
    return reverse(route.name, kwargs=kwargs)
