"""Who may see and change what (DOMAIN.md section 2). The one place that answers it.

Access comes only from roles: a person's membership of a programme, an area or a workstream,
or their organisation role (the portfolio office, which sees every programme of its
organisation). Anyone with any role in a programme sees the whole programme; nobody else sees
anything of it. What each role may change is the table `ALLOWED` below. Site administrators
(superusers) see and change everything.

Views fetch through `get_for(user, action, queryset, **lookup)`: the object comes from the
user's scoped queryset (404 when they may not see it, so its existence is not revealed), then
the action is checked (403). Lists use `Model.objects.visible_to(user)`; pages and the API ask
`may(user, action, obj)` for what to offer.
A user's memberships are read once per request (one query) and kept on the user object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import IntegerField, Model, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404

from programmes.choices import ProgrammeStatus, Role
from programmes.models import (
    Membership,
    Organisation,
    OrganisationRole,
    Programme,
    ProgrammeArea,
    Scope,
)
from programmes.querysets import visible_programme_ids


class Action(StrEnum):
    VIEW = "view"
    COMMENT = "comment"
    UPDATE_MILESTONE = "update_milestone"  # status, forecast, completion, at risk, notes
    EDIT_PLAN = "edit_plan"  # add, edit, reorder, remove, re-baseline
    RECORD_READING = "record_reading"
    SUBMIT_STATUS_UPDATE = "submit_status_update"
    MANAGE_RISKS = "manage_risks"
    WRITE_EXCEPTION = "write_exception"
    APPROVE_EXCEPTION = "approve_exception"
    REQUEST_REPORT = "request_report"
    DOWNLOAD_REPORT = "download_report"
    MANAGE_PROGRAMME = "manage_programme"  # structure, areas, periods, report schedules
    MANAGE_DECISIONS = "manage_decisions"  # the decision log: add, edit, defer
    MANAGE_PEOPLE = "manage_people"  # people, their roles, invitations to sign in
    APPOINT_PROGRAMME_OFFICE = "appoint_programme_office"
    UPDATE_BUDGET = "update_budget"  # spent, forecast and the variance explanation
    RECORD_LESSON = "record_lesson"  # the lessons log: add and change lessons (issue 16)


# Where a role applies: "programme" (anywhere in its programme), "area" (in its area and the
# area's workstreams) or "workstream" (in its workstream only).
PROGRAMME, AREA, WORKSTREAM = "programme", "area", "workstream"

ALLOWED: dict[Role, dict[Action, str]] = {
    Role.BOARD_MEMBER: {
        Action.VIEW: PROGRAMME,
        Action.COMMENT: PROGRAMME,
        Action.DOWNLOAD_REPORT: PROGRAMME,
    },
    Role.SPONSOR: {
        Action.VIEW: PROGRAMME,
        Action.COMMENT: PROGRAMME,
        Action.DOWNLOAD_REPORT: PROGRAMME,
        Action.APPROVE_EXCEPTION: AREA,
    },
    Role.PROJECT_MANAGER: {
        Action.VIEW: PROGRAMME,
        Action.COMMENT: PROGRAMME,
        Action.DOWNLOAD_REPORT: PROGRAMME,
        Action.REQUEST_REPORT: PROGRAMME,
        Action.UPDATE_MILESTONE: AREA,
        Action.EDIT_PLAN: AREA,
        Action.RECORD_READING: AREA,
        Action.SUBMIT_STATUS_UPDATE: AREA,
        Action.MANAGE_RISKS: AREA,
        Action.WRITE_EXCEPTION: AREA,
        Action.MANAGE_DECISIONS: AREA,
        Action.UPDATE_BUDGET: AREA,
        Action.RECORD_LESSON: AREA,
    },
    Role.WORKSTREAM_LEAD: {
        Action.VIEW: PROGRAMME,
        Action.COMMENT: PROGRAMME,
        Action.UPDATE_MILESTONE: WORKSTREAM,
        Action.RECORD_READING: WORKSTREAM,
        Action.SUBMIT_STATUS_UPDATE: WORKSTREAM,
        Action.MANAGE_RISKS: WORKSTREAM,
        Action.UPDATE_BUDGET: WORKSTREAM,
        Action.RECORD_LESSON: WORKSTREAM,
    },
    Role.PROGRAMME_OFFICE: dict.fromkeys(Action, PROGRAMME),
    # Held in an organisation: it reaches every programme of the organisation.
    Role.PORTFOLIO_OFFICE: {
        Action.VIEW: PROGRAMME,
        Action.COMMENT: PROGRAMME,
        Action.DOWNLOAD_REPORT: PROGRAMME,
        Action.APPOINT_PROGRAMME_OFFICE: PROGRAMME,
    },
}

# What each action is, in the words of the page that refuses it ("Your role does not allow you
# to change the plan (1.2 Involving users)").
ACTION_WORDS: dict[Action, str] = {
    Action.VIEW: "see",
    Action.COMMENT: "comment",
    Action.UPDATE_MILESTONE: "update milestones",
    Action.EDIT_PLAN: "change the plan",
    Action.RECORD_READING: "record measure readings",
    Action.SUBMIT_STATUS_UPDATE: "submit status updates",
    Action.MANAGE_RISKS: "change risks and issues",
    Action.WRITE_EXCEPTION: "write exception narratives",
    Action.APPROVE_EXCEPTION: "approve exception narratives",
    Action.REQUEST_REPORT: "make reports",
    Action.DOWNLOAD_REPORT: "download reports",
    Action.MANAGE_PROGRAMME: "do what only the programme office does",
    Action.MANAGE_DECISIONS: "change the decision log",
    Action.MANAGE_PEOPLE: "change people and roles",
    Action.APPOINT_PROGRAMME_OFFICE: "appoint the programme office",
    Action.UPDATE_BUDGET: "update the budget",
    Action.RECORD_LESSON: "record lessons",
}

# A closed programme only shows, with its history (issue 16): nobody, not even the site
# administrator, changes anything of it but these. Lessons stay open after closing (the
# lessons learnt report comes at and after closure); reports already made may be downloaded.
# Benefit owners record realisation through `may_record_benefit_realisation`.
OPEN_WHEN_CLOSED = frozenset({Action.VIEW, Action.DOWNLOAD_REPORT, Action.RECORD_LESSON})
# The marker of a closed programme among the role rows (see `_role_rows`).
_CLOSED = "closed"


def refusal(action: Action | str, obj) -> PermissionDenied:
    """The 403 for a role that does not allow the action, saying what was refused and where
    (the 403 page shows it)."""
    return PermissionDenied(
        f"Your role does not allow you to {ACTION_WORDS[Action(action)]} ({obj})"
    )


def closed_refusal(obj) -> PermissionDenied:
    """The 403 for a change to anything of a closed programme."""
    return PermissionDenied(
        f"The programme is closed: it only shows, with its history, and cannot be changed ({obj})"
    )


def scope_of(obj) -> Scope:
    """The programme, area and workstream an object belongs to.

    Objects below a workstream (milestones, measures, readings, updates, budget lines) take
    their workstream's scope; risks, issues and decisions sit at the scope they were raised
    at; actions take their risk's or issue's.
    """
    if isinstance(obj, Programme):
        return Scope(obj.pk)
    if isinstance(obj, ProgrammeArea):
        return Scope(obj.programme_id, obj.pk)
    own = getattr(obj, "scope", None)
    if isinstance(own, Scope):  # a workstream says where it sits
        return own
    for parent in ("milestone", "measure", "risk", "issue"):
        if getattr(obj, f"{parent}_id", None) is not None:
            return scope_of(getattr(obj, parent))
    if getattr(obj, "workstream_id", None) is not None:
        return scope_of(obj.workstream)
    if getattr(obj, "area_id", None) is not None:
        return Scope(obj.programme_id, obj.area_id)
    if getattr(obj, "programme_id", None) is not None:
        return Scope(obj.programme_id)
    raise TypeError(f"Cannot tell which programme a {type(obj).__name__} belongs to")


@dataclass(frozen=True)
class Grant:
    role: Role
    area_id: int | None
    workstream_id: int | None


@dataclass
class UserAccess:
    """A user's roles, by programme, read once; and the organisations whose portfolio office
    they are (a portfolio office's reach over each programme of those is a grant too)."""

    is_administrator: bool
    grants: dict[int, list[Grant]] = field(default_factory=dict)
    portfolio_organisations: set[int] = field(default_factory=set)
    # The programmes (of those the user sees) that are closed: they only show.
    closed_programmes: set[int] = field(default_factory=set)

    def sees(self, programme_id: int) -> bool:
        return self.is_administrator or programme_id in self.grants

    def roles_in(self, programme_id: int) -> set[Role]:
        return {grant.role for grant in self.grants.get(programme_id, [])}

    def refuses_as_closed(self, action: Action, scope: Scope) -> bool:
        """Is the action refused because the programme is closed (whatever the role)?"""
        return scope.programme_id in self.closed_programmes and action not in OPEN_WHEN_CLOSED

    def may(self, action: Action, scope: Scope) -> bool:
        if self.refuses_as_closed(action, scope):
            return False
        if self.is_administrator:
            return True
        for grant in self.grants.get(scope.programme_id, []):
            reach = ALLOWED[grant.role].get(action)
            if reach == PROGRAMME:
                return True
            if reach == AREA and grant.area_id is not None and grant.area_id == scope.area_id:
                return True
            if (
                reach == WORKSTREAM
                and grant.workstream_id is not None
                and grant.workstream_id == scope.workstream_id
            ):
                return True
        return False


# Who a user is, in the statement `_role_rows` makes: never a real user's id, so that every
# parameter equal to it is the user's.
_SOMEONE = -987_654_321


def _role_rows_statement(superuser: bool):
    """The query of every role of a user (`_SOMEONE`): their memberships; each organisation
    role, with no programme; and that role again for each programme of its organisation. And
    one row marked `_CLOSED` for each closed programme the user sees (every one, for the site
    administrator)."""
    null = Value(None, output_field=IntegerField())
    memberships = (
        Membership.objects.filter(person__user=_SOMEONE)
        .order_by()
        .values_list("programme_id", "role", "area_id", "workstream_id", null)
    )
    roles = OrganisationRole.objects.filter(person__user=_SOMEONE).order_by()
    organisations = roles.values_list(null, "role", null, null, "organisation_id")
    programmes = (
        Programme.objects.filter(organisation__organisation_roles__in=roles.values("pk"))
        .order_by()
        .values_list("pk", Value(Role.PORTFOLIO_OFFICE.value), null, null, "organisation_id")
    )
    closed = Programme.objects.filter(status=ProgrammeStatus.CLOSED)
    if not superuser:
        closed = closed.filter(pk__in=visible_programme_ids(_SOMEONE))
    closed = closed.order_by().values_list("pk", Value(_CLOSED), null, null, null)
    return memberships.union(organisations, programmes, closed, all=True).order_by()


# Every request reads its user's roles: Django took three times as long to build that
# query's SQL as the database to run it (1.8 ms and 0.6 ms), so each process builds it once
# for each kind of user and database, and runs it with the user's id.
_role_rows_sql: dict[tuple[str, bool], tuple[str, tuple]] = {}


def _role_rows(user) -> list[tuple]:
    """(programme, role, area, workstream, organisation) of every role the user holds, in one
    query (`_role_rows_statement`)."""
    connection = connections[Membership.objects.db]
    key = (connection.alias, bool(user.is_superuser))
    if key not in _role_rows_sql:
        _role_rows_sql[key] = _role_rows_statement(key[1]).query.sql_with_params()
    sql, params = _role_rows_sql[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if param == _SOMEONE else param for param in params])
        return cursor.fetchall()


def access_for(user) -> UserAccess:
    """The user's access, cached on the user object for the rest of the request."""
    cached = getattr(user, "_programme_access", None)
    if cached is not None:
        return cached
    if not (user.is_authenticated and user.is_active):
        access = UserAccess(is_administrator=False)
    else:
        access = UserAccess(is_administrator=user.is_superuser)
        for programme_id, role, area_id, workstream_id, organisation_id in _role_rows(user):
            if programme_id is None:  # the organisation role itself
                access.portfolio_organisations.add(organisation_id)
                continue
            if role == _CLOSED:
                access.closed_programmes.add(programme_id)
                continue
            access.grants.setdefault(programme_id, []).append(
                Grant(Role(role), area_id, workstream_id)
            )
    user._programme_access = access
    return access


def may(user, action: Action | str, obj) -> bool:
    """May this user do this to this object?"""
    return access_for(user).may(Action(action), scope_of(obj))


def may_somewhere(user, action: Action | str, programme: Programme) -> bool:
    """May the user do this anywhere in the programme: in the programme itself, or in an
    area or workstream their role reaches? For "raise a risk or an issue where your role
    lets you manage them" (DOMAIN.md section 2: leads their workstream's, project managers
    their area's, the programme office all)."""
    access = access_for(user)
    action = Action(action)
    if access.may(action, scope_of(programme)):
        return True
    if access.refuses_as_closed(action, scope_of(programme)):
        return False
    return any(ALLOWED[grant.role].get(action) for grant in access.grants.get(programme.pk, []))


def may_record_decision_at(user, meeting) -> bool:
    """May this user record a decision as made at this board meeting? The programme office
    may; a board member only if recorded as chairing the meeting (DOMAIN.md section 2: board
    members change nothing but their own comments, and a chair's record of the meeting)."""
    access = access_for(user)
    scope = scope_of(meeting)
    if access.may(Action.MANAGE_PROGRAMME, scope):
        return True
    if scope.programme_id in access.closed_programmes:
        return False
    if Role.BOARD_MEMBER not in access.roles_in(scope.programme_id) or meeting.chair_id is None:
        return False
    person = getattr(user, "person", None)
    return person is not None and person.pk == meeting.chair_id


def may_update_action(user, action) -> bool:
    """May this user add an update to an action of the action log, or mark it done? The
    programme office may (it keeps the log); so may the action's owner, while they have a role
    in the programme (DOMAIN.md section 7: an action log with owners)."""
    access = access_for(user)
    scope = scope_of(action)
    if access.may(Action.MANAGE_PROGRAMME, scope):
        return True
    if not access.sees(scope.programme_id) or scope.programme_id in access.closed_programmes:
        return False
    person = getattr(user, "person", None)
    return person is not None and person.pk == action.owner_id


def may_record_benefit_realisation(user, benefit) -> bool:
    """May this user record what a benefit has realised (issue 16)? Its owner may, while they
    have a role in the programme, and also after the programme has closed (benefits are
    tracked after closure, DOMAIN.md); the programme office may while the programme is open.
    `benefit` has an `owner_id` (a Person) and belongs to a programme (scope_of)."""
    access = access_for(user)
    scope = scope_of(benefit)
    if access.may(Action.MANAGE_PROGRAMME, scope):
        return True
    if not access.sees(scope.programme_id):
        return False
    person = getattr(user, "person", None)
    return person is not None and person.pk == getattr(benefit, "owner_id", None)


def may_record_communication_sent(user, item) -> bool:
    """May this user record that a line of the communications plan was sent (issue 16)? The
    programme office may (it keeps the plan); so may the line's owner, while they have a role
    in the programme. Not once the programme has closed."""
    access = access_for(user)
    scope = scope_of(item)
    if access.may(Action.MANAGE_PROGRAMME, scope):
        return True
    if not access.sees(scope.programme_id) or scope.programme_id in access.closed_programmes:
        return False
    person = getattr(user, "person", None)
    return person is not None and person.pk == item.owner_id


def is_closed_for(user, obj) -> bool:
    """Is the programme of `obj` closed (as read with the user's access, no query more)?"""
    return scope_of(obj).programme_id in access_for(user).closed_programmes


def may_keep_benefits(user, programme: Programme) -> bool:
    """May this user add benefits to the programme's benefits register and change them (issue
    16)? The programme office, while the programme is open (a closed programme only shows;
    realisation is `may_record_benefit_realisation`'s)."""
    return access_for(user).may(Action.EDIT_PLAN, scope_of(programme))


def may_create_programme(user, organisation: Organisation) -> bool:
    """The portfolio office of an organisation creates its programmes (and the site
    administrator anywhere)."""
    access = access_for(user)
    return access.is_administrator or organisation.pk in access.portfolio_organisations


def organisations_creating_programmes(user) -> QuerySet:
    """The organisations in which the user may create programmes."""
    if access_for(user).is_administrator:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=access_for(user).portfolio_organisations)


def may_see(user, obj) -> bool:
    return access_for(user).sees(scope_of(obj).programme_id)


def require(user, action: Action | str, obj) -> None:
    """For views: 404 if the user may not see the object at all (so that its existence is
    not revealed), 403 if they see it but may not do this."""
    access = access_for(user)
    scope = scope_of(obj)
    if not access.sees(scope.programme_id):
        raise Http404("Not found")
    if access.refuses_as_closed(Action(action), scope):
        raise closed_refusal(obj)
    if not access.may(Action(action), scope):
        raise refusal(action, obj)


def get_for(user, action: Action | str, queryset: QuerySet | type[Model], **lookup):
    """The object a view works on: looked up only among what the user may see (404 when it is
    not there for them), then refused (403) if their role does not allow the action on it.

    The one way views fetch an object by id (scope first, then fetch): `queryset` may carry
    the view's select_related; it is narrowed with its `visible_to(user)`.
    """
    if isinstance(queryset, type):
        queryset = queryset.objects.all()
    access = access_for(user)
    # Among the programmes the user's roles reach, as read once a request (`access_for`).
    obj = get_object_or_404(queryset.visible_to(user, programme_ids=access.grants), **lookup)
    scope = scope_of(obj)
    if access.refuses_as_closed(Action(action), scope):
        raise closed_refusal(obj)
    if not access.may(Action(action), scope):
        raise refusal(action, obj)
    return obj


def may_keep_objectives(user, organisation: Organisation) -> bool:
    """Who adds and changes an organisation's objectives (the golden thread, DOMAIN.md
    section 1): its portfolio office, the programme office of any of its programmes, and the
    site administrator. The objectives belong to the organisation and every programme of it
    links to them, so the offices that run its programmes keep them; nobody else changes
    them, though everyone in a programme sees them."""
    access = access_for(user)
    if access.is_administrator or organisation.pk in access.portfolio_organisations:
        return True
    offices = [
        programme_id
        for programme_id, grants in access.grants.items()
        if any(grant.role == Role.PROGRAMME_OFFICE for grant in grants)
    ]
    return bool(offices) and (
        Programme.objects.filter(pk__in=offices, organisation_id=organisation.pk).exists()
    )
