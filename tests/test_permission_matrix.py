"""One permission matrix, built from the URL resolver (issue 10, "One permission path";
DOMAIN.md section 2).

Every route the site serves, with every method it accepts, is listed in `MATRIX` with the
people who may use it; a route or method missing from the table fails
`test_every_route_and_method_is_in_the_matrix`, so a new page cannot ship without saying who
may use it. Each route is then asked, with each method, by each of these people:

- a board member, a sponsor, a project manager, a workstream lead and the programme office,
  each in their own scope (the objects all sit in workstream 1.1, in area one);
- the same roles next door: a sponsor and a project manager of area two, the lead of
  workstream 1.2 (same area);
- the same roles in another programme;
- a signed-in person with no role, a site administrator, and someone not signed in.

Allowed: the answer is not 403 or 404 (200, 302 or 400 for an empty form are all fine), and
never a server error. Denied: 403 or 404 (404 for those who may not see the programme at
all, so that its existence is not revealed); not signed in, a redirect to sign-in (401 from
the API). Every request is rolled back, so each person meets the same plan.

The plan, the people, the world and everyone's sessions are made once for the module
(`_matrix_in_database`), and each test runs in a transaction of its own within it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Role
from programmes.dates import add_months, month_start
from tests.clock import frozen_clock
from tests.conftest import make_plan
from tests.factories import (
    AreaFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
    grant_portfolio_office,
)
from tests.oidc_provider.fixture import oidc_provider  # noqa: F401 (a fixture)
from tests.url_catalogue import (
    API_OBJECTS,
    SINGLE_SIGN_ON_PROVIDER,
    Route,
    all_routes,
    make_world,
    url_for,
)

# ----- Who asks -----

IN_PROGRAMME_ROLES = {
    "board": (Role.BOARD_MEMBER, "programme"),
    "sponsor": (Role.SPONSOR, "area_one"),
    "sponsor_other_area": (Role.SPONSOR, "area_two"),
    "manager": (Role.PROJECT_MANAGER, "area_one"),
    "manager_other_area": (Role.PROJECT_MANAGER, "area_two"),
    "lead": (Role.WORKSTREAM_LEAD, "ws_1_1"),
    "lead_other_workstream": (Role.WORKSTREAM_LEAD, "ws_1_2"),
    "office": (Role.PROGRAMME_OFFICE, "programme"),
}
ELSEWHERE_ROLES = {
    "board_elsewhere": (Role.BOARD_MEMBER, "programme"),
    "sponsor_elsewhere": (Role.SPONSOR, "area"),
    "manager_elsewhere": (Role.PROJECT_MANAGER, "area"),
    "lead_elsewhere": (Role.WORKSTREAM_LEAD, "workstream"),
    "office_elsewhere": (Role.PROGRAMME_OFFICE, "programme"),
}
# The portfolio office of the programme's organisation, and of another organisation.
PORTFOLIO = ["portfolio", "portfolio_elsewhere"]
PERSONAS = [
    *IN_PROGRAMME_ROLES,
    *ELSEWHERE_ROLES,
    *PORTFOLIO,
    "no_role",
    "admin",
    "anonymous",
]

EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {"anonymous"}
IN_PROGRAMME = frozenset({*IN_PROGRAMME_ROLES, "portfolio", "admin"})
OFFICE = frozenset({"office", "admin"})
# Change the plan in area one: edit milestones, keep decisions, write exception narratives.
AREA_ONE_PLAN = frozenset({"manager", "office", "admin"})
# Milestone progress, readings, status updates and risks of workstream 1.1.
LEAD_AND_UP = frozenset({"lead", "manager", "office", "admin"})
# Anyone who may manage risks somewhere in the programme may raise one there.
RISK_RAISERS = frozenset(
    {"lead", "lead_other_workstream", "manager", "manager_other_area", "office", "admin"}
)
DECISION_KEEPERS = frozenset({"manager", "manager_other_area", "office", "admin"})
REPORT_READERS = frozenset(
    {
        "board",
        "sponsor",
        "sponsor_other_area",
        "manager",
        "manager_other_area",
        "office",
        "portfolio",
        "admin",
    }
)
REPORT_REQUESTERS = frozenset({"manager", "manager_other_area", "office", "admin"})
AREA_ONE_APPROVERS = frozenset({"sponsor", "office", "admin"})
# The board member chairs the meeting.
CHAIR_OR_OFFICE = frozenset({"board", "office", "admin"})
# The world's action is the lead's (issue 14).
ACTION_OWNER_OR_OFFICE = frozenset({"lead", "office", "admin"})
# The organisation's objectives: the office of any of its programmes, and its portfolio office.
OBJECTIVE_KEEPERS = frozenset({"office", "portfolio", "admin"})
# Issue 14: project managers raise change requests and exceptions in their own area, the
# programme office anywhere; leads do neither.
CHANGE_RAISERS = frozenset({"manager", "manager_other_area", "office", "admin"})


def page(roles, *, post=None) -> dict:
    """A page with a form: shown with GET, sent with POST (by the same people unless said)."""
    return {"GET": roles, "POST": roles if post is None else post}


MATRIX: dict[str, dict[str, frozenset]] = {
    # Signing in and out, and a user's own things
    "login": {"GET": EVERYONE, "POST": EVERYONE, "PUT": EVERYONE},
    "logout": {"POST": EVERYONE},
    # Single sign-on (issue 12): going to the identity provider and coming back from it are
    # for anyone; who is then signed in is the provider's answer (tests/test_single_sign_on.py).
    "oidc_sign_in": {"GET": EVERYONE},
    "oidc_callback": {"GET": EVERYONE},
    "api_token": page(SIGNED_IN),
    # Two-factor authentication (issue 12): each user's own authenticator
    "two_factor": page(SIGNED_IN),
    "two_factor_code": page(SIGNED_IN),
    "two_factor_turn_off": {"POST": SIGNED_IN},
    "home": {"GET": SIGNED_IN},
    "programme_list": {"GET": SIGNED_IN},
    "portfolio": {"GET": SIGNED_IN},
    "search": {"GET": SIGNED_IN},  # issue 15, part 7: finds only what each user sees
    "calendar_feed_list": {"GET": SIGNED_IN},
    "calendar_feed_create": {"POST": SIGNED_IN},
    "calendar_feed_reset": {"POST": SIGNED_IN},
    # The secret link is the key: calendar apps fetch it without signing in.
    "calendar_feed": {"GET": EVERYONE},
    "plan_template": {"GET": SIGNED_IN},
    # A programme
    "programme_detail": {"GET": IN_PROGRAMME},
    "programme_timeline": {"GET": IN_PROGRAMME},
    "programme_dependencies": {"GET": IN_PROGRAMME},  # issue 15: the dependency map
    # Issue 16: money. Everyone in the programme sees it and downloads the government return;
    # the programme office keeps the whole-life cost (a line's figures: budget_line_edit).
    "programme_finance": {"GET": IN_PROGRAMME},
    "programme_whole_life_cost": page(OFFICE),
    "programme_government_return": {"GET": IN_PROGRAMME},
    "programme_settings": page(OFFICE),
    # Issue 11, part A: a new programme, its people and their roles. Any portfolio office
    # creates programmes (in its own organisation); everyone in a programme sees who is in it.
    "programme_add": page(frozenset({"portfolio", "portfolio_elsewhere", "admin"})),
    "programme_people": {"GET": IN_PROGRAMME},
    "programme_person_add": page(OFFICE),
    "programme_person_edit": page(OFFICE),
    "programme_person_invite": page(OFFICE),
    "programme_role_add": page(frozenset({"office", "portfolio", "admin"})),
    # The world's role is a board member's: the programme office's own people work.
    "programme_role_remove": page(OFFICE),
    # The emailed link is the key: whoever holds it sets the password, signed in or not.
    "invitation_accept": page(EVERYONE),
    # Issue 12: a forgotten password is reset without signing in; the emailed link is the key.
    "password_reset": page(EVERYONE),
    "password_reset_sent": {"GET": EVERYONE},
    "password_reset_link": page(EVERYONE),
    # Issue 12: a user's own sessions, and signing out everywhere.
    "user_sessions": page(SIGNED_IN),
    "workstream_list": {"GET": IN_PROGRAMME},
    "milestone_list": {"GET": IN_PROGRAMME},
    "measure_list": {"GET": IN_PROGRAMME},
    "risk_list": {"GET": IN_PROGRAMME},
    "issue_list": {"GET": IN_PROGRAMME},
    "decision_list": {"GET": IN_PROGRAMME},
    "export_plan": {"GET": IN_PROGRAMME},
    "import_plan": page(OFFICE),
    "confirm_plan_import": {"POST": OFFICE},
    "plan_import_job": {"GET": OFFICE},
    # Workstreams, milestones, measures, status updates
    "workstream_detail": {"GET": IN_PROGRAMME},
    "milestone_add": page(AREA_ONE_PLAN),
    "milestone_detail": page(IN_PROGRAMME, post=LEAD_AND_UP),
    "milestone_preview": {"POST": LEAD_AND_UP},
    "milestone_edit": page(AREA_ONE_PLAN),
    "milestone_rebaseline": page(AREA_ONE_PLAN),
    "milestone_remove": page(AREA_ONE_PLAN),
    "milestone_move": {"POST": AREA_ONE_PLAN},
    "measure_detail": page(IN_PROGRAMME, post=LEAD_AND_UP),
    "reading_edit": page(LEAD_AND_UP),
    "status_update": page(IN_PROGRAMME, post=LEAD_AND_UP),
    "status_update_submitted": {"GET": IN_PROGRAMME},
    "status_update_reopen": {"POST": OFFICE},
    # Programme areas, workstreams and the golden thread (issue 11, part B)
    "area_list": {"GET": IN_PROGRAMME},
    "area_detail": {"GET": IN_PROGRAMME},
    "programme_area_add": page(OFFICE),
    "area_edit": page(OFFICE),
    "area_documents": page(OFFICE),
    "area_move": {"POST": OFFICE},
    "area_close": page(OFFICE),
    "workstream_add": page(AREA_ONE_PLAN),
    "workstream_edit": page(AREA_ONE_PLAN),
    "workstream_close": page(AREA_ONE_PLAN),
    "programme_objectives": {"GET": IN_PROGRAMME},
    "objective_add": page(OBJECTIVE_KEEPERS),
    "objective_edit": page(OBJECTIVE_KEEPERS),
    # Measures and targets, budget lines, many milestones at once (issue 11, part C). A
    # lead updates their workstream's spent and forecast, but neither adds nor removes lines.
    "measure_add": page(AREA_ONE_PLAN),
    "measure_edit": page(AREA_ONE_PLAN),
    "measure_targets": page(AREA_ONE_PLAN),
    "workstream_budget": {"GET": IN_PROGRAMME},
    "budget_line_add": page(AREA_ONE_PLAN),
    "budget_line_edit": page(LEAD_AND_UP),
    "budget_line_remove": page(AREA_ONE_PLAN),
    "workstream_milestones_update": page(LEAD_AND_UP),
    "area_milestones_update": page(AREA_ONE_PLAN),
    # Risks and issues
    "risk_add": page(RISK_RAISERS),
    "risk_detail": page(IN_PROGRAMME, post=LEAD_AND_UP),
    "risk_edit": page(LEAD_AND_UP),
    "risk_close": page(LEAD_AND_UP),
    "risk_reopen": {"POST": LEAD_AND_UP},
    "risk_realise": page(LEAD_AND_UP),
    "mitigation_done": {"POST": LEAD_AND_UP},
    "issue_add": page(RISK_RAISERS),
    "issue_detail": page(IN_PROGRAMME, post=LEAD_AND_UP),
    "issue_edit": page(LEAD_AND_UP),
    "issue_resolve": page(LEAD_AND_UP),
    "issue_action_done": {"POST": LEAD_AND_UP},
    # Decisions and board meetings
    "decision_add": page(DECISION_KEEPERS),
    "decision_detail": {"GET": IN_PROGRAMME},
    "decision_edit": page(AREA_ONE_PLAN),
    "meeting_list": {"GET": IN_PROGRAMME},
    "meeting_add": page(OFFICE),
    "meeting_detail": {"GET": IN_PROGRAMME},
    "meeting_edit": page(OFFICE),
    "meeting_agenda": {"POST": OFFICE},
    "decision_record": {"POST": CHAIR_OR_OFFICE},
    # Issue 14: the programme office keeps a meeting's agenda items, its list of people and its
    # papers; everyone in the programme reads them, downloads its papers and its minutes.
    "meeting_minutes_pdf": {"GET": IN_PROGRAMME},
    "agenda_item_add": page(OFFICE),
    "agenda_item_edit": page(OFFICE),
    "agenda_item_move": {"POST": OFFICE},
    "agenda_item_remove": page(OFFICE),
    "meeting_attendance": page(OFFICE),
    "meeting_paper_add": page(OFFICE),
    "meeting_paper_download": {"GET": IN_PROGRAMME},
    "meeting_paper_remove": page(OFFICE),
    # Issue 14: the action log. The programme office keeps it; the action's owner (the lead,
    # here) adds updates and marks it done.
    "action_list": {"GET": IN_PROGRAMME},
    "action_add": page(OFFICE),
    "action_detail": {"GET": IN_PROGRAMME},
    "action_edit": page(OFFICE),
    "action_update": {"POST": ACTION_OWNER_OR_OFFICE},
    # Issue 14, part 5: the change control log. Everyone in the programme reads it; project
    # managers raise and change the changes of their area; the programme office decides.
    "change_list": {"GET": IN_PROGRAMME},
    "change_add": page(CHANGE_RAISERS),
    "change_detail": {"GET": IN_PROGRAMME},
    "change_edit": page(AREA_ONE_PLAN),
    "change_withdraw": page(AREA_ONE_PLAN),
    "change_decide": page(OFFICE),
    "change_comment": {"POST": IN_PROGRAMME},
    # Issue 14, part 6: scope and quality exceptions raised by hand
    "raised_exception_add": page(CHANGE_RAISERS),
    "raised_exception_detail": {"GET": IN_PROGRAMME},
    "raised_exception_edit": page(AREA_ONE_PLAN),
    "raised_exception_close": page(AREA_ONE_PLAN),
    # Periods, exceptions and reports
    "period_list": {"GET": IN_PROGRAMME},
    # Issue 13, part 5: each asks first (GET), and acts on the POST
    "period_close": page(OFFICE),
    "period_reopen": page(OFFICE),
    "period_exceptions": {"GET": IN_PROGRAMME},
    "exception_narrative": page(AREA_ONE_PLAN),
    "exception_approve": page(AREA_ONE_APPROVERS),
    "exception_send_back": {"POST": AREA_ONE_APPROVERS},
    "report_list": page(IN_PROGRAMME, post=REPORT_REQUESTERS),
    "report_run": {"GET": IN_PROGRAMME},
    "report_approve": page(OFFICE),
    "report_send_back": {"POST": OFFICE},
    # Issue 14, part 3: a meeting's board pack
    "board_pack_make": {"POST": OFFICE},
    "board_pack": {"GET": IN_PROGRAMME},
    # A lead may not download reports, nor the pack that holds them: told it does not exist.
    "board_pack_download": {"GET": REPORT_READERS},
    # A lead may not download reports: told it does not exist (404).
    "report_download": {"GET": REPORT_READERS},
    # Comments (issue 13, part 6): everyone who can see the item comments on it
    "workstream_comment": {"POST": IN_PROGRAMME},
    "milestone_comment": {"POST": IN_PROGRAMME},
    "risk_comment": {"POST": IN_PROGRAMME},
    # Issue 16, part 1: the benefits register. The programme office keeps it; the benefit's
    # owner (the lead, as the world's action owner) and the office record what it realised.
    "benefit_list": {"GET": IN_PROGRAMME},
    "benefit_add": page(OFFICE),
    "benefit_detail": {"GET": IN_PROGRAMME},
    "benefit_edit": page(OFFICE),
    "benefit_realisation": page(ACTION_OWNER_OR_OFFICE),
    # Issue 16, parts 4 and 5: the lessons log (whoever's role records lessons where the
    # lesson sits: the world's is in workstream 1.1), closing the programme and the closure
    # reports (those who download reports), the stakeholders and the communications plan (the
    # programme office keeps them; the line's owner, the lead, records what was sent).
    "lesson_list": {"GET": IN_PROGRAMME},
    "lesson_add": page(RISK_RAISERS),
    "lesson_edit": page(LEAD_AND_UP),
    "programme_close": page(OFFICE),
    "programme_closure_report": {"GET": REPORT_READERS},
    "workstream_closure_report": {"GET": REPORT_READERS},
    "stakeholder_list": {"GET": IN_PROGRAMME},
    "stakeholder_add": page(OFFICE),
    "stakeholder_edit": page(OFFICE),
    "communication_list": {"GET": IN_PROGRAMME},
    "communication_add": page(OFFICE),
    "communication_detail": page(IN_PROGRAMME, post=ACTION_OWNER_OR_OFFICE),
    "communication_edit": page(OFFICE),
    "issue_comment": {"POST": IN_PROGRAMME},
    "report_comment": {"POST": IN_PROGRAMME},
    "exception_comment": {"POST": IN_PROGRAMME},
    # The API (read: everyone in the programme; lists: every signed-in user, showing only
    # what they may see)
    **{
        f"api:{basename}-list": {"GET": SIGNED_IN}
        for basename in API_OBJECTS
        if basename not in ("measurereading", "statusupdate", "risk")
    },
    **{f"api:{basename}-detail": {"GET": IN_PROGRAMME} for basename in API_OBJECTS},
    "api:milestone-detail": {"GET": IN_PROGRAMME, "PATCH": LEAD_AND_UP},
    "api:measurereading-list": {"GET": SIGNED_IN, "POST": LEAD_AND_UP},
    "api:measurereading-detail": {"GET": IN_PROGRAMME, "PATCH": LEAD_AND_UP},
    "api:statusupdate-list": {"GET": SIGNED_IN, "POST": LEAD_AND_UP},
    "api:statusupdate-detail": {"GET": IN_PROGRAMME, "PATCH": LEAD_AND_UP},
    "api:risk-list": {"GET": SIGNED_IN, "POST": LEAD_AND_UP},
    "api:risk-detail": {"GET": IN_PROGRAMME, "PATCH": LEAD_AND_UP},
    "api:risk-close": {"POST": LEAD_AND_UP},
}

# Pages that list programmes: nobody without a role in the plan's programme sees its name.
PROGRAMME_LISTS = {"programme_list", "portfolio"}

ROUTES = all_routes()


def _month(day) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def api_body(route: Route, method: str, world: dict) -> dict:
    """What an API write sends: a whole new object in workstream 1.1 for a create (an empty
    one would be refused before anyone's role is asked), nothing for a change (refused as
    incomplete, 400, once the role is allowed)."""
    if method != "POST" or not route.name.endswith("-list"):
        return {}
    today = timezone.localdate()
    if route.name == "api:measurereading-list":
        two_months_ago = add_months(month_start(today), -2)
        return {"measure": world["measure"].pk, "period": _month(two_months_ago), "value": "12"}
    if route.name == "api:statusupdate-list":
        return {"workstream": world["workstream"].pk, "period": world["period"].pk, "rag": "green"}
    if route.name == "api:risk-list":
        return {
            "programme": world["programme"].pk,
            "workstream": world["workstream"].pk,
            "reference": "NEW",
            "title": "New",
            "event": "It may happen",
            "category": "internal",
            "current_likelihood": 3,
            "current_impact": 3,
        }
    raise AssertionError(f"No body for {route.name}")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def _single_sign_on(request, settings):
    """The single sign-on routes name a provider: the test identity provider, running, so that
    going to it is a redirect to its page (tests/oidc_provider)."""
    callspec = getattr(request.node, "callspec", None)
    route = callspec.params.get("route") if callspec else None
    if route is not None and "provider" in route.arguments:
        provider = request.getfixturevalue("oidc_provider")
        settings.OIDC_PROVIDERS = [provider.configuration(id=SINGLE_SIGN_ON_PROVIDER)]


def make_personas(plan: dict) -> dict:
    """A user for each persona but the anonymous one."""
    elsewhere = ProgrammeFactory(name="Children's Services Programme")
    other_area = AreaFactory(programme=elsewhere)
    other_scopes = {
        "programme": elsewhere,
        "area": other_area,
        "workstream": WorkstreamFactory(area=other_area),
    }
    users = {}
    for name, (role, scope) in [
        *[(name, (role, plan[scope])) for name, (role, scope) in IN_PROGRAMME_ROLES.items()],
        *[(name, (role, other_scopes[scope])) for name, (role, scope) in ELSEWHERE_ROLES.items()],
    ]:
        users[name] = UserFactory(username=name)
        kind = {"Programme": "programme", "ProgrammeArea": "area", "Workstream": "workstream"}
        grant(users[name], role, **{kind[type(scope).__name__]: scope})
    users["portfolio"] = UserFactory(username="portfolio")
    grant_portfolio_office(users["portfolio"], plan["programme"].organisation)
    users["portfolio_elsewhere"] = UserFactory(username="portfolio_elsewhere")
    grant_portfolio_office(users["portfolio_elsewhere"], elsewhere.organisation)
    users["no_role"] = UserFactory(username="no_role")
    PersonFactory(user=users["no_role"], name="Nobody In Particular")
    users["admin"] = UserFactory(username="admin")
    users["admin"].is_superuser = True
    users["admin"].save()
    return users


@dataclass(frozen=True)
class Matrix:
    """What every test of the module asks with: the personas, the world, each signed-in
    persona's session key, and the folder holding the files the world stored."""

    personas: dict
    world: dict
    sessions: dict[str, str]
    media: Path


@pytest.fixture(scope="module")
def _matrix_in_database(django_db_setup, django_db_blocker, tmp_path_factory) -> Matrix:
    """The plan, the personas, the world and a session for each signed-in persona, made once
    for the module (at the tests' frozen moment) inside a transaction rolled back after its
    last test; each test runs in a transaction of its own within it, as usual.

    The sessions are rows too, so they are made here, by `force_login` as before: a test then
    signs each persona in by giving a fresh client the session's cookie. The world's files
    (the report, the paper, the board pack) are stored in a folder of the module's, which each
    test copies into its own (`_media`)."""
    media = tmp_path_factory.mktemp("matrix_media")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    with django_db_blocker.unblock(), transaction.atomic():
        with frozen_clock(), override_settings(STORAGES=storages):
            plan = make_plan()
            personas = make_personas(plan)
            world = make_world(
                plan,
                chair=personas["board"].person,
                feed_user=personas["lead"],
                action_owner=personas["lead"].person,
            )
            sessions = {}
            for name, user in personas.items():
                client = Client()
                client.force_login(user)
                sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield Matrix(personas=personas, world=world, sessions=sessions, media=media)
        transaction.set_rollback(True)


@pytest.fixture
def matrix(_matrix_in_database, db, tmp_path) -> Matrix:
    """The module's plan, in this test's own transaction; the world's files in this test's
    media folder (`_media`)."""
    shutil.copytree(_matrix_in_database.media, tmp_path / "media", dirs_exist_ok=True)
    return _matrix_in_database


@pytest.fixture
def personas(matrix) -> dict:
    return matrix.personas


@pytest.fixture
def world(matrix) -> dict:
    return matrix.world


@pytest.fixture
def clients(matrix) -> dict[str, Client]:
    """A fresh client for each persona, signed in with the persona's session but for the
    anonymous one: a request that signs out changes only its own client's cookies."""
    clients = {"anonymous": Client(raise_request_exception=False)}
    for name, session_key in matrix.sessions.items():
        clients[name] = Client(raise_request_exception=False)
        clients[name].cookies[settings.SESSION_COOKIE_NAME] = session_key
    return clients


def send(client: Client, route: Route, method: str, url: str, world: dict):
    """One request, rolled back afterwards so that every persona meets the same plan."""
    savepoint = transaction.savepoint_create()
    try:
        if route.is_api:
            return client.generic(
                method,
                url,
                data=json.dumps(api_body(route, method, world)),
                content_type="application/json",
            )
        if method == "GET":
            return client.get(url)
        if method == "POST":
            return client.post(url, {})
        return client.generic(method, url, "")
    finally:
        transaction.savepoint_rollback(savepoint)


def verdict(route: Route, persona: str, response, *, allowed: bool) -> str | None:
    """What is wrong with the answer, if anything."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if allowed:
        return f"refused with {status}" if status in (401, 403, 404) else None
    if persona == "anonymous":
        if route.is_api:
            return None if status == 401 else f"answered {status}, not 401"
        sign_in = reverse("login")
        if status == 302 and response["Location"].startswith(sign_in):
            return None
        return f"answered {status}, not a redirect to sign in"
    if route.is_api and status == 400 and persona not in IN_PROGRAMME:
        # A create naming a programme, measure or workstream they may not see: "does not
        # exist", as for an id that does not exist (docs/api.md).
        return None
    return None if status in (403, 404) else f"allowed ({status}), should be refused"


def leaks(route: Route, persona: str, response, world: dict) -> str | None:
    """A list that shows a programme's objects to someone with no role in it."""
    if response.status_code != 200 or persona in IN_PROGRAMME:
        return None
    if route.is_api and route.name.endswith("-list"):
        basename = route.name.removeprefix("api:").rsplit("-", 1)[0]
        ids = {item["id"] for item in response.json()["results"]}
        if world[API_OBJECTS[basename]].pk in ids:
            return "lists an object of a programme they have no role in"
    if route.name in PROGRAMME_LISTS and "Adult &amp; Housing" in response.content.decode():
        return "lists a programme they have no role in"
    return None


def test_every_route_and_method_is_in_the_matrix():
    served = {(route.name, method) for route in ROUTES for method in route.methods}
    listed = {(name, method) for name, methods in MATRIX.items() for method in methods}
    assert sorted(served - listed) == [], "Routes and methods with no entry in MATRIX"
    assert sorted(listed - served) == [], "MATRIX entries for routes or methods not served"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_each_person_may_use_exactly_what_the_matrix_says(route, world, clients):
    if route.name not in MATRIX:
        pytest.fail(f"{route.name} has no entry in MATRIX: say who may use it")
    url = url_for(route, world)
    problems = []
    for method in route.methods:
        allowed = MATRIX[route.name].get(method)
        if allowed is None:
            pytest.fail(f"{route.name} {method} has no entry in MATRIX")
        for persona in PERSONAS:
            response = send(clients[persona], route, method, url, world)
            problem = verdict(route, persona, response, allowed=persona in allowed)
            problem = problem or (method == "GET" and leaks(route, persona, response, world))
            if problem:
                problems.append(f"{method} {url} as {persona}: {problem}")
    assert problems == []


def test_the_matrix_tells_a_refusal_from_an_answer(personas, world):
    # The check itself must fail a page that lets in someone the table keeps out.
    route = next(route for route in ROUTES if route.name == "programme_settings")
    client = Client(raise_request_exception=False)
    client.force_login(personas["office"])
    response = client.get(url_for(route, world))
    assert verdict(route, "board", response, allowed=False) == "allowed (200), should be refused"
    assert verdict(route, "office", response, allowed=True) is None


def test_a_page_that_only_shows_refuses_other_methods(personas, world):
    # Pages without a form answer GET alone, so the matrix has nothing else to ask of them.
    client = Client()
    client.force_login(personas["office"])
    url = reverse("programme_detail", args=[world["programme"].pk])

    assert client.post(url, {}).status_code == 405
    assert client.get(url).status_code == 200
