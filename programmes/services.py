"""Writes to the plan's top level. Each is one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from programmes.choices import (
    AREA_ROLES,
    PROGRAMME_ROLES,
    WORKSTREAM_ROLES,
    MembershipSource,
    ObjectiveLevel,
    ProgrammeStatus,
    Role,
)
from programmes.dates import month_start
from programmes.jobs import queue_after_commit
from programmes.models import (
    Invitation,
    KeyDocument,
    Membership,
    Objective,
    Organisation,
    Person,
    Programme,
    ProgrammeArea,
    ReportingPeriod,
    StaleEdit,
)
from programmes.permissions import Action, Grant, UserAccess, may, may_create_programme, require
from programmes.tokens import invitation_tokens, link_parts


def _sync(*, programme_id, area_id, workstream_id, wanted: dict[str, int | None]) -> None:
    """Make the plan-sourced memberships of one scope match `wanted` (role -> person id)."""
    existing = Membership.objects.filter(
        programme_id=programme_id,
        area_id=area_id,
        workstream_id=workstream_id,
        source=MembershipSource.PLAN,
        role__in=list(wanted),
    )
    for membership in existing:
        if wanted.get(membership.role) != membership.person_id:
            membership.delete()
    for role, person_id in wanted.items():
        if person_id is None:
            continue
        Membership.objects.get_or_create(
            person_id=person_id,
            role=role,
            programme_id=programme_id,
            area_id=area_id,
            workstream_id=workstream_id,
            defaults={"source": MembershipSource.PLAN},
        )


@transaction.atomic
def sync_area_memberships(area: ProgrammeArea) -> None:
    """The area's sponsor and project manager hold those roles in it (DOMAIN.md section 2)."""
    _sync(
        programme_id=area.programme_id,
        area_id=area.pk,
        workstream_id=None,
        wanted={Role.SPONSOR: area.sponsor_id, Role.PROJECT_MANAGER: area.project_manager_id},
    )


@transaction.atomic
def sync_workstream_memberships(workstream) -> None:
    """The workstream's lead holds the workstream lead role in it."""
    _sync(
        programme_id=workstream.programme_id,
        area_id=None,
        workstream_id=workstream.pk,
        wanted={Role.WORKSTREAM_LEAD: workstream.lead_id},
    )


SETTINGS = (
    "board_name",
    "rag_scale",
    "overall_rag",
    "overall_commentary",
    "time_tolerance_days",
    "cost_tolerance_percent",
    "benefit_tolerance_percent",
    "risk_tolerance_score",
    "risk_amber_from",
    "risk_red_from",
    "reminder_days",
    "report_working_day",
    "auto_close_periods",
    "approve_reports_after_working_days",
)


@transaction.atomic
def change_programme_settings(programme, *, by, version: int, settings: dict):
    """The programme office sets the board, scale, board rating, tolerances, risk bands and
    reminders; the history keeps every change."""
    require(by, Action.MANAGE_PROGRAMME, programme)
    for name in SETTINGS:
        value = settings.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value is None and not programme._meta.get_field(name).null:
            value = ""  # a blank text or choice; a blank number where none is allowed
        setattr(programme, name, value)
    programme.version = version
    programme._history_user = by
    programme.full_clean(exclude=["version", "sort_key"])
    programme.save()
    return programme


def key_document_titles(text: str) -> list[str]:
    """Titles from key documents written as text, one per line or separated by semicolons."""
    titles = (title.strip() for title in (text or "").replace("\n", ";").split(";"))
    return [title[:300] for title in titles if title]


@transaction.atomic
def replace_key_documents(
    area: ProgrammeArea, documents: list[str | tuple[str, str]], *, by=None
) -> bool:
    """Make the area's key documents these, in this order. Each is a title, which keeps the
    link that title already had (a plan's text names documents only), or a (title, link)
    pair, which sets the link too (the area's page edits both). Says whether anything
    changed."""
    existing = {document.title: document for document in area.documents.all()}
    wanted = []
    for entry in documents:
        title, url = (entry, None) if isinstance(entry, str) else entry
        if url is None:
            url = existing[title].url if title in existing else ""
        wanted.append((title, url))
    if [(document.title, document.url) for document in existing.values()] == wanted:
        return False
    titles = {title for title, _ in wanted}
    for title in set(existing) - titles:
        document = existing.pop(title)
        document._history_user = by
        document.delete()
    for position, (title, url) in enumerate(wanted):
        document = existing.get(title) or KeyDocument(area=area, title=title)
        if document.pk is None or document.position != position or document.url != url:
            document.position = position
            document.url = url
            document._history_user = by
            document.save()
    return True


# The golden thread (DOMAIN.md section 1): corporate -> directorate -> service objective.
PARENT_LEVEL = {
    ObjectiveLevel.CORPORATE: None,
    ObjectiveLevel.DIRECTORATE: ObjectiveLevel.CORPORATE,
    ObjectiveLevel.SERVICE: ObjectiveLevel.DIRECTORATE,
}


def parent_level(level: str) -> str | None:
    """The level an objective's parent is at: one up (a service objective's parent is a
    directorate objective, a directorate objective's a corporate one); a corporate objective
    has no parent (DOMAIN.md section 1, "golden thread")."""
    return PARENT_LEVEL[ObjectiveLevel(level)]


@dataclass
class ObjectiveDetails:
    """What the objectives page changes of an objective."""

    reference: str
    level: str
    title: str
    parent_id: int | None = None


def objective_problems(
    organisation: Organisation, details: ObjectiveDetails, objective: Objective | None = None
) -> dict[str, str]:
    """What is wrong with these details for an objective of the organisation, by field: a
    reference used by another of its objectives, a parent not one level up, a parent under
    the objective itself (a loop), or a change of level that would leave the objectives under
    it at the wrong level. Two queries."""
    problems = {}
    reference, title = details.reference.strip(), details.title.strip()
    if not reference:
        problems["reference"] = "Enter the objective's reference, such as CP-01"
    if not title:
        problems["title"] = "Enter the objective"
    if details.level not in ObjectiveLevel.values:
        problems["level"] = "Choose the level: corporate, directorate or service"
        return problems
    rows = list(
        Objective.objects.filter(organisation=organisation).values_list(
            "pk", "reference", "level", "parent_id"
        )
    )
    own = objective.pk if objective is not None else None
    if reference and any(ref == reference and pk != own for pk, ref, _, _ in rows):
        problems["reference"] = (
            f"The organisation already has an objective {reference}: choose another reference"
        )
    by_id = {pk: (ref, level, parent) for pk, ref, level, parent in rows}
    level = ObjectiveLevel(details.level)
    wanted = parent_level(level)
    if details.parent_id is not None:
        parent = by_id.get(details.parent_id)
        if parent is None:
            problems["parent"] = "Choose an objective of this organisation"
        elif own is not None and _sits_under(details.parent_id, own, by_id):
            problems["parent"] = (
                f"{parent[0]} sits under this objective: an objective cannot sit under one "
                "of its own"
            )
        elif wanted is None:
            problems["parent"] = "A corporate objective is at the top: it sits under nothing"
        elif parent[1] != wanted:
            problems["parent"] = (
                f"A {level.label.lower()} sits under a {ObjectiveLevel(wanted).label.lower()}: "
                f"{parent[0]} is a {ObjectiveLevel(parent[1]).label.lower()}"
            )
    if own is not None:
        misplaced = [
            ref
            for _, (ref, child_level, parent) in sorted(by_id.items(), key=lambda i: i[1][0])
            if parent == own and parent_level(child_level) != level
        ]
        if misplaced:
            problems["level"] = (
                f"{', '.join(misplaced)} sit{'s' if len(misplaced) == 1 else ''} under it, and "
                f"could not sit under a {level.label.lower()}: move "
                f"{'it' if len(misplaced) == 1 else 'them'} to another objective first"
            )
    return problems


def _sits_under(node: int | None, ancestor: int, by_id: dict) -> bool:
    """Whether objective `node` is `ancestor` or sits, at any depth, under it."""
    seen = set()
    while node is not None and node not in seen:
        if node == ancestor:
            return True
        seen.add(node)
        node = by_id[node][2] if node in by_id else None
    return False


def _require_keeper(by, organisation: Organisation) -> None:
    from programmes.permissions import may_keep_objectives

    if not may_keep_objectives(by, organisation):
        raise PermissionDenied("Your role does not allow changing the organisation's objectives")


def _apply_objective(objective: Objective, details: ObjectiveDetails, *, by) -> Objective:
    objective.reference = details.reference.strip()
    objective.level = details.level
    objective.title = details.title.strip()
    objective.parent_id = details.parent_id
    objective._history_user = by
    objective.full_clean(exclude=["version", "sort_key"])
    objective.save()
    return objective


@transaction.atomic
def add_objective(organisation: Organisation, *, by, details: ObjectiveDetails) -> Objective:
    """Add an objective to the organisation's golden thread."""
    _require_keeper(by, organisation)
    problems = objective_problems(organisation, details)
    if problems:
        raise ValidationError(problems)
    return _apply_objective(Objective(organisation=organisation), details, by=by)


@transaction.atomic
def change_objective(
    objective: Objective, *, by, version: int, details: ObjectiveDetails
) -> Objective:
    """Change an objective: its reference, level, wording or parent (re-parenting it)."""
    _require_keeper(by, objective.organisation)
    problems = objective_problems(objective.organisation, details, objective)
    if problems:
        raise ValidationError(problems)
    objective.version = version
    return _apply_objective(objective, details, by=by)


# ----- Reporting periods -----


def cut_off_for(month: date) -> date:
    """Status updates are due on the 25th, or the working day before it (DOMAIN.md
    section 4)."""
    day = month.replace(day=25)
    while day.weekday() >= 5:
        day = day.replace(day=day.day - 1)
    return day


def open_current_period(programme: Programme, today: date) -> tuple[ReportingPeriod | None, bool]:
    """This month's reporting period of an active programme in flight today (started, not
    ended), and whether it was opened now; (None, False) for a programme not in flight. Months
    before today are not opened: a programme's periods start with the month it is set up in
    (or, for one starting later, the month it starts, opened by the nightly `roll_periods`)."""
    if programme.status != ProgrammeStatus.ACTIVE:
        return None, False
    if not (programme.starts_on <= today <= programme.ends_on):
        return None, False
    month = month_start(today)
    return ReportingPeriod.objects.get_or_create(
        programme=programme, month=month, defaults={"cut_off": cut_off_for(month)}
    )


# ----- New programmes -----

# What the portfolio office sets when it creates a programme (the rest take their defaults).
NEW_PROGRAMME_FIELDS = (
    "name",
    "reference",
    "description",
    "starts_on",
    "ends_on",
    "rag_scale",
    "board_name",
    "time_tolerance_days",
    "cost_tolerance_percent",
    "benefit_tolerance_percent",
    "risk_tolerance_score",
    "risk_amber_from",
    "risk_red_from",
    "report_working_day",
    "reminder_days",
)


@dataclass(frozen=True)
class NewPerson:
    """Someone named for the first time on a form, with what is known of them."""

    name: str
    email: str = ""
    job_title: str = ""


def _person_of(organisation: Organisation, person: Person | None, field: str) -> None:
    if person is not None and person.organisation_id != organisation.pk:
        raise ValidationError({field: f"Choose a person of {organisation.name}"})


def _new_person(organisation: Organisation, new: NewPerson, *, by, field: str) -> Person:
    name = new.name.strip()
    if organisation.people.filter(name__iexact=name).exists():
        raise ValidationError(
            {field: f"{organisation.name} already has a person called {name}: choose them"}
        )
    person = Person(
        organisation=organisation,
        name=name,
        email=new.email.strip(),
        job_title=new.job_title.strip(),
    )
    person._history_user = by
    person.full_clean(exclude=["version", "user"])
    person.save()
    return person


@transaction.atomic
def create_programme(
    organisation: Organisation,
    *,
    by,
    details: dict,
    senior_responsible_owner: Person | None = None,
    office: Person | None = None,
    new_office: NewPerson | None = None,
    today: date | None = None,
) -> Programme:
    """The portfolio office of an organisation (or a site administrator) creates a programme
    (issue 11, adding to DOMAIN.md section 2), appoints its programme office, and opens this
    month's reporting period if the programme is in flight."""
    if not may_create_programme(by, organisation):
        raise PermissionDenied("You may not create programmes for this organisation")
    today = today or timezone.localdate()
    values = {name: details.get(name) for name in NEW_PROGRAMME_FIELDS}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip()
    problems = {}
    if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
        problems["ends_on"] = "The end date must be the same as or after the start date"
    amber, red = values["risk_amber_from"], values["risk_red_from"]
    if amber is not None and red is not None and amber >= red:
        problems["risk_red_from"] = "Red must start above where Amber starts"
    if organisation.programmes.filter(reference__iexact=values["reference"]).exists():
        problems["reference"] = (
            f"{organisation.name} already has a programme with the reference "
            f"{values['reference']}: choose another"
        )
    if office is not None and new_office is not None:
        problems["programme_office"] = "Choose someone or name someone new, not both"
    if problems:
        raise ValidationError(problems)
    _person_of(organisation, senior_responsible_owner, "senior_responsible_owner")
    _person_of(organisation, office, "programme_office")
    programme = Programme(
        organisation=organisation, senior_responsible_owner=senior_responsible_owner, **values
    )
    programme._history_user = by
    programme.full_clean(exclude=["version", "sort_key"])
    programme.save()
    if new_office is not None:
        office = _new_person(organisation, new_office, by=by, field="office_name")
    if office is not None:
        membership = Membership(
            person=office,
            role=Role.PROGRAMME_OFFICE,
            programme=programme,
            source=MembershipSource.GRANTED,
        )
        membership._history_user = by
        membership.save()
    open_current_period(programme, today)
    return programme


# ----- People and their roles -----

PERSON_FIELDS = ("name", "job_title", "employer", "email", "is_team")


def _apply_person(person: Person, details: dict) -> None:
    for name in PERSON_FIELDS:
        value = details.get(name)
        if name == "is_team":
            person.is_team = bool(value)
        else:
            setattr(person, name, (value or "").strip())
    clash = Person.objects.filter(organisation_id=person.organisation_id, name__iexact=person.name)
    if person.pk is not None:
        clash = clash.exclude(pk=person.pk)
    if clash.exists():
        raise ValidationError(
            {"name": f"{person.organisation.name} already has a person called {person.name}"}
        )
    person.full_clean(exclude=["version", "user"])


@transaction.atomic
def add_person(programme: Programme, *, by, details: dict) -> Person:
    """The programme office adds a person to its organisation: an officer, a partner or a
    team (DOMAIN.md section 1: people are not all users)."""
    require(by, Action.MANAGE_PEOPLE, programme)
    person = Person(organisation=programme.organisation)
    _apply_person(person, details)
    person._history_user = by
    person.save()
    return person


@transaction.atomic
def change_person(person: Person, programme: Programme, *, by, version: int, details: dict):
    """The programme office corrects a person's name, job title, employer, email or team."""
    require(by, Action.MANAGE_PEOPLE, programme)
    if person.organisation_id != programme.organisation_id:
        raise ValidationError(f"{person.name} is not a person of {programme.organisation.name}")
    person.version = version
    _apply_person(person, details)
    person._history_user = by
    person.save()
    return person


def role_scope_problems(role: str, *, area, workstream) -> dict[str, str]:
    """Where a role is held (DOMAIN.md section 2): board members and the programme office in
    the whole programme, sponsors and project managers in an area, leads in a workstream."""
    label = Role(role).label if role in Role.values else "This role"
    if role in PROGRAMME_ROLES:
        problems = {}
        if area is not None:
            problems["area"] = f"{label} is a role in the whole programme: leave the area blank"
        if workstream is not None:
            problems["workstream"] = (
                f"{label} is a role in the whole programme: leave the workstream blank"
            )
        return problems
    if role in AREA_ROLES:
        problems = {}
        if area is None:
            problems["area"] = f"Choose the area of this {label.lower()}"
        if workstream is not None:
            problems["workstream"] = f"{label} is a role in an area: leave the workstream blank"
        return problems
    if role in WORKSTREAM_ROLES:
        problems = {}
        if workstream is None:
            problems["workstream"] = "Choose the workstream they lead"
        if area is not None:
            problems["area"] = "A workstream lead leads a workstream: leave the area blank"
        return problems
    return {"role": "Choose a role"}


def _role_action(role: str) -> Action:
    """The programme office gives and removes every role; the portfolio office only the
    programme office's (issue 11)."""
    return (
        Action.APPOINT_PROGRAMME_OFFICE if role == Role.PROGRAMME_OFFICE else Action.MANAGE_PEOPLE
    )


@transaction.atomic
def give_role(
    programme: Programme, *, by, person: Person, role: str, area=None, workstream=None
) -> Membership:
    """Give a person a role in the programme, an area or a workstream (a "granted"
    membership). Access follows from the next request."""
    if role not in Role.values or role == Role.PORTFOLIO_OFFICE:
        raise ValidationError({"role": "Choose a role"})
    require(by, _role_action(role), programme)
    problems = role_scope_problems(role, area=area, workstream=workstream)
    if person.organisation_id != programme.organisation_id:
        problems["person"] = f"Choose a person of {programme.organisation.name}"
    if area is not None and area.programme_id != programme.pk:
        problems["area"] = "Choose an area of this programme"
    if workstream is not None and workstream.programme_id != programme.pk:
        problems["workstream"] = "Choose a workstream of this programme"
    if problems:
        raise ValidationError(problems)
    held = Membership.objects.filter(
        person=person,
        role=role,
        programme=programme,
        area=area,
        workstream=workstream,
    )
    if held.exists():
        raise ValidationError({"person": f"{person.name} already holds this role there"})
    membership = Membership(
        person=person,
        role=role,
        programme=programme,
        area=area,
        workstream=workstream,
        source=MembershipSource.GRANTED,
    )
    membership._history_user = by
    membership.full_clean()
    membership.save()
    return membership


def milestones_left_behind(membership: Membership) -> str:
    """What removing a role would leave behind, in words: the open milestones its holder owns
    in the programme and could update only through this role (a lead's of their workstream,
    say), which nobody would then keep up to date. Blank when there are none."""
    owned = list(
        membership.person.milestones.filter(workstream__programme_id=membership.programme_id)
        .exclude(status="complete")  # workstreams.models.MilestoneStatus.COMPLETE
        .select_related("workstream")
        .order_by("workstream__sort_key", "position", "sort_key")
    )
    if not owned:
        return ""
    held = list(
        Membership.objects.filter(
            person_id=membership.person_id, programme_id=membership.programme_id
        )
    )

    def access(memberships) -> UserAccess:
        grants = [Grant(Role(m.role), m.area_id, m.workstream_id) for m in memberships]
        return UserAccess(is_administrator=False, grants={membership.programme_id: grants})

    before = access(held)
    after = access(m for m in held if m.pk != membership.pk)
    left = [
        milestone
        for milestone in owned
        if before.may(Action.UPDATE_MILESTONE, milestone.workstream.scope)
        and not after.may(Action.UPDATE_MILESTONE, milestone.workstream.scope)
    ]
    if not left:
        return ""
    workstreams = {milestone.workstream_id: milestone.workstream for milestone in left}
    where = (
        f"workstream {next(iter(workstreams.values()))}"
        if len(workstreams) == 1
        else "this programme"
    )
    references = ", ".join(milestone.reference for milestone in left)
    count = f"{len(left)} open milestone{'s' if len(left) != 1 else ''}"
    them = "them" if len(left) != 1 else "it"
    return (
        f"{membership.person.name} owns {count} of {where} ({references}): once this role is "
        f"removed they can no longer update {them}. Give {them} another owner first (change "
        "the milestone), or remove the role anyway."
    )


@transaction.atomic
def remove_role(membership: Membership, *, by, milestones_seen: bool = False) -> None:
    """Take a granted role away: the person's access goes with their next request. Roles that
    come from the plan (an area's sponsor and project manager, a workstream's lead) change on
    the area's or workstream's page; the last programme office is not removed, or nobody
    would keep the programme. Removing the role by which someone updates the open milestones
    they own is refused, saying so, until the remover has seen that (`milestones_seen`)."""
    require(by, _role_action(membership.role), membership.programme)
    stored = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if stored is None:
        return
    if stored.source == MembershipSource.PLAN:
        where = "workstream" if stored.workstream_id else "area"
        raise ValidationError(
            f"This role comes from the plan: change the {where}'s {stored.get_role_display().lower()} "
            f"on the {where}'s page"
        )
    if stored.role == Role.PROGRAMME_OFFICE:
        offices = Membership.objects.select_for_update().filter(
            programme_id=stored.programme_id, role=Role.PROGRAMME_OFFICE
        )
        if offices.count() <= 1:
            raise ValidationError(
                f"{stored.person.name} is the programme's only programme office: appoint "
                "another before removing them"
            )
    left_behind = milestones_left_behind(stored)
    if left_behind and not milestones_seen:
        raise ValidationError(left_behind)
    stored._history_user = by
    stored.delete()


# ----- Invitations to sign in -----


INVITATION_TASK = "programmes.send_invitation"


def send_invitation(invitation_id: int) -> bool:
    """Email an invitation its link (a background job, queued when the invitation is saved).
    The link is made here, from the account as it stands, so no token passes through the
    broker. Nothing is sent for an invitation that a newer one has replaced (that one brings
    the link) or that can no longer be accepted. True if sent."""
    invitation = (
        Invitation.objects.select_related("person__user", "programme", "sent_by__person")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    user = invitation.person.user if invitation is not None else None
    if (
        user is None
        or not user.is_active
        or user.has_usable_password()
        or Invitation.objects.filter(person=invitation.person, pk__gt=invitation.pk).exists()
    ):
        return False
    uidb64, token = link_parts(user, invitation_tokens)
    link = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[uidb64, token])
    sender = getattr(invitation.sent_by, "person", None)
    sender_name = sender.name if sender is not None else "The programme office"
    days = invitation_tokens.timeout.days
    body = (
        f"Hello {invitation.person.name},\n\n"
        f"{sender_name} has invited you to sign in to {settings.SITE_NAME} for "
        f"{invitation.programme.name}.\n\n"
        f"Set your password here:\n{link}\n\n"
        f"The link works once, for {days} days. Your user name is {invitation.email}.\n\n"
        "If you did not expect this email, you can ignore it.\n"
    )
    send_mail(
        f"You are invited to {invitation.programme.name}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [invitation.email],
    )
    return True


def may_invite(user, person: Person, programme: Programme) -> bool:
    """The programme office invites anyone in its programme; the portfolio office, who
    appoints the programme office, invites the programme office (or nobody could)."""
    if may(user, Action.MANAGE_PEOPLE, programme):
        return True
    return (
        may(user, Action.APPOINT_PROGRAMME_OFFICE, programme)
        and programme.memberships.filter(person=person, role=Role.PROGRAMME_OFFICE).exists()
    )


@transaction.atomic
def invite_person(person: Person, programme: Programme, *, by, version: int) -> Invitation:
    """The programme office invites a person of the plan to sign in: their account (user name:
    their email, lower case) is made or reused, with no password until they set one from the
    emailed link (valid a week, once). A new invitation spends the links sent before it."""
    require(by, Action.VIEW, programme)
    if not may_invite(by, person, programme):
        raise PermissionDenied("Your role does not allow this")
    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
    if person.version != version:
        raise StaleEdit(person, person.version)
    email = person.email.strip().lower()
    if person.organisation_id != programme.organisation_id:
        raise ValidationError(f"{person.name} is not a person of {programme.organisation.name}")
    if person.is_team:
        raise ValidationError(f"{person.name} is a team: invite the people in it one by one")
    if not email:
        raise ValidationError(
            f"{person.name} has no email address: add one to their details, then invite them"
        )
    if not programme.memberships.filter(person=person).exists():
        raise ValidationError(
            f"{person.name} has no role in this programme: give them one first, or they would "
            "see nothing when they sign in"
        )
    users = get_user_model()._default_manager
    user = person.user
    if user is None:
        if users.filter(username__iexact=email).exists():
            raise ValidationError(
                f"Someone else already signs in as {email}: ask the site administrator"
            )
        user = users.model(username=email, email=email, is_active=True)
        user.set_unusable_password()
        user.save()
        person.user = user
        person._history_user = by
        person.save()
    else:
        if not user.is_active:
            raise ValidationError(
                f"{person.name}'s sign-in was switched off: ask the site administrator"
            )
        if user.has_usable_password():
            raise ValidationError(f"{person.name} already signs in as {user.get_username()}")
        if user.email != email:
            user.email = email
            if not users.filter(username__iexact=email).exclude(pk=user.pk).exists():
                user.username = email
        # A fresh unusable password changes what earlier links were made from: only the
        # newest invitation works.
        user.set_unusable_password()
        user.save()
    invitation = Invitation(person=person, programme=programme, email=email, sent_by=by)
    invitation._history_user = by
    invitation.save()
    # Emailed in the background once this commits: a slow or failing mail server neither
    # holds up the page nor undoes the invitation (the job tries again; inviting again sends
    # anew).
    queue_after_commit(INVITATION_TASK, invitation.pk)
    return invitation


@transaction.atomic
def set_password_from_link(user, password: str) -> None:
    """Set the password of the user a link named (the link is then spent)."""
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def accept_invitation(user, password: str) -> None:
    """The invited person sets their password: their invitations are accepted."""
    set_password_from_link(user, password)
    now = timezone.now()
    for invitation in Invitation.objects.select_for_update().filter(
        person__user=user, accepted_at__isnull=True
    ):
        invitation.accepted_at = now
        invitation._history_user = user
        invitation.save()
