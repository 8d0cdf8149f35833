"""Pages for programmes: the list a user may see, a new programme, its settings, its people
and their roles, and the page an invitation's link opens to set a password."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe

from programmes.accounts.backends import MODEL_BACKEND
from programmes.choices import MembershipSource, Role
from programmes.forms import (
    ChangeForm,
    NewPasswordForm,
    NewProgrammeForm,
    PersonForm,
    ProgrammeSettingsForm,
    RoleForm,
    add_errors,
    posted,
    save_form,
)
from programmes.history import HistorySource, describe_history
from programmes.lists import programme_for
from programmes.models import Invitation, Membership, Person, Programme
from programmes.params import read_id
from programmes.permissions import Action, access_for, may, organisations_creating_programmes
from programmes.services import (
    NewPerson,
    accept_invitation,
    add_person,
    change_person,
    change_programme_settings,
    create_programme,
    give_role,
    invite_person,
    may_invite,
    milestones_left_behind,
    remove_role,
)
from programmes.tokens import LinkTokenGenerator, invitation_tokens, user_from_link


@login_required
@require_safe
def programme_list(request):
    programmes = (
        Programme.objects.visible_to(request.user)
        .select_related("organisation")
        .annotate(workstream_count=Count("workstreams", distinct=True))
        .order_by("organisation__name", "sort_key")
    )
    access = access_for(request.user)
    rows = [
        {
            "programme": programme,
            "roles": sorted(role.label for role in access.roles_in(programme.pk)),
        }
        for programme in programmes
    ]
    return render(
        request,
        "programmes/programme_list.html",
        {"rows": rows, "can_create": organisations_creating_programmes(request.user).exists()},
    )


@login_required
def programme_settings(request, programme_id: int):
    programme = programme_for(request, programme_id, Action.MANAGE_PROGRAMME)
    form = ProgrammeSettingsForm(posted(request), programme=programme)
    if request.method == "POST" and save_form(
        form,
        lambda data: change_programme_settings(
            programme, by=request.user, version=data["version"], settings=data
        ),
        noun="programme",
    ):
        messages.success(request, "Programme settings saved")
        return redirect("programme_detail", programme.pk)
    return render(
        request,
        "programmes/programme_settings.html",
        {
            "form": form,
            "programme": programme,
            "header_organisation": programme.organisation,
            "history": describe_history(
                [
                    HistorySource(
                        Programme.history.filter(id=programme.pk),
                        lambda record: "",
                        lambda record: "Programme created",
                    )
                ]
            ),
        },
        status=400 if form.errors else 200,
    )


# ----- A new programme -----


@login_required
def programme_add(request):
    """The portfolio office of an organisation (or a site administrator) creates a programme,
    then finds it with its next steps: import a plan, or add its first area."""
    organisations = list(organisations_creating_programmes(request.user))
    if not organisations:
        raise PermissionDenied("Only the portfolio office creates programmes")
    form = NewProgrammeForm(posted(request), organisations=organisations)

    def create(data) -> Programme:
        new_office = None
        if data.get("office_name", "").strip():
            new_office = NewPerson(name=data["office_name"], email=data.get("office_email", ""))
        return create_programme(
            data["organisation"],
            by=request.user,
            details=data,
            senior_responsible_owner=data.get("senior_responsible_owner"),
            office=data.get("programme_office"),
            new_office=new_office,
        )

    programme = save_form(form, create, noun="programme")
    if programme is not None:
        messages.success(request, f"{programme.name} created")
        return redirect("programme_detail", programme.pk)
    return render(
        request,
        "programmes/programme_add.html",
        {
            "form": form,
            "single_organisation": organisations[0] if len(organisations) == 1 else None,
        },
        status=400 if form.errors else 200,
    )


# ----- People and roles -----


def may_see_contact_details(user, programme: Programme) -> bool:
    """Everyone in a programme sees who is in it and in which role; their email addresses and
    whether they sign in only the programme office and the portfolio office (who manage and
    appoint them) and site administrators."""
    return may(user, Action.APPOINT_PROGRAMME_OFFICE, programme)


ROLE_ORDER = {
    Role.PROGRAMME_OFFICE: 0,
    Role.BOARD_MEMBER: 1,
    Role.SPONSOR: 2,
    Role.PROJECT_MANAGER: 3,
    Role.WORKSTREAM_LEAD: 4,
}


@dataclass
class RoleLine:
    """A role a person holds, where, and how it changes: removed here (granted), or on the
    area's or workstream's page (from the plan)."""

    membership: Membership
    where: str
    from_plan: bool
    can_remove: bool
    area_id: int | None = None
    workstream_id: int | None = None

    @property
    def label(self) -> str:
        return self.membership.get_role_display()


@dataclass
class PersonRow:
    person: Person
    roles: list[RoleLine] = field(default_factory=list)
    sign_in: str = ""
    can_invite: bool = False
    invited: bool = False


def _where(membership: Membership) -> str:
    if membership.workstream_id:
        return f"workstream {membership.workstream}"
    if membership.area_id:
        return f"area {membership.area}"
    return "the programme"


def sign_in_state(person: Person, invitations: dict[int, Invitation], now) -> str:
    """Whether a person signs in, in words: not at all, invited (until when), or yes."""
    user = person.user
    if user is None:
        return "Does not sign in"
    if not user.is_active:
        return "Sign-in switched off"
    if user.has_usable_password():
        return "Signs in"
    invitation = invitations.get(person.pk)
    if invitation is None:
        return "Not invited yet"
    expires = invitation.sent_at + invitation_tokens.timeout
    if expires < now:
        return f"Invitation of {timezone.localtime(invitation.sent_at):%-d %b %Y} expired"
    return f"Invited {timezone.localtime(invitation.sent_at):%-d %b %Y}, not yet accepted"


def _people_history(programme: Programme, person_ids: set[int], *, full: bool):
    # Those who held a role here and hold none now are named too, by what was done to them.
    person_ids = person_ids | set(
        Membership.history.filter(programme_id=programme.pk).values_list("person_id", flat=True)
    )
    people = dict(programme.organisation.people.filter(pk__in=person_ids).values_list("pk", "name"))
    areas = {area.pk: f"area {area}" for area in programme.areas.all()}
    workstreams = {ws.pk: f"workstream {ws}" for ws in programme.workstreams.all()}

    def role_subject(record) -> str:
        where = (
            workstreams.get(record.workstream_id)
            or areas.get(record.area_id)
            or ("a workstream" if record.workstream_id else "an area" if record.area_id else "")
            or "the programme"
        )
        role = Role(record.role).label if record.role in Role.values else record.role
        return f"{people.get(record.person_id, 'Someone')}: {role} of {where}"

    sources = [
        HistorySource(
            Membership.history.filter(programme_id=programme.pk),
            role_subject,
            lambda record: (
                "Role given"
                if record.source == MembershipSource.GRANTED
                else "Role taken from the plan"
            ),
        )
    ]
    if full:
        sources += [
            HistorySource(
                Person.history.filter(id__in=person_ids),
                lambda record: record.name,
            ),
            HistorySource(
                Invitation.history.filter(programme_id=programme.pk),
                lambda record: people.get(record.person_id, "Someone"),
                lambda record: f"Invited to sign in ({record.email})",
            ),
        ]
    return describe_history(sources, limit=50)


@login_required
@require_safe
def programme_people(request, programme_id: int):
    """The people of a programme and who holds which role where (DOMAIN.md section 2)."""
    programme = programme_for(request, programme_id)
    user = request.user
    can_manage = may(user, Action.MANAGE_PEOPLE, programme)
    can_appoint = may(user, Action.APPOINT_PROGRAMME_OFFICE, programme)
    contacts = may_see_contact_details(user, programme)
    memberships = list(programme.memberships.select_related("person__user", "area", "workstream"))
    invitations = {}
    for invitation in programme.invitations.order_by("sent_at"):
        invitations[invitation.person_id] = invitation  # the latest, for each person
    rows: dict[int, PersonRow] = {}
    for membership in sorted(
        memberships, key=lambda m: (ROLE_ORDER.get(m.role, 9), _where(m), m.person.name)
    ):
        row = rows.setdefault(membership.person_id, PersonRow(membership.person))
        from_plan = membership.source == MembershipSource.PLAN
        row.roles.append(
            RoleLine(
                membership,
                _where(membership),
                from_plan,
                can_remove=not from_plan
                and (can_manage or (can_appoint and membership.role == Role.PROGRAMME_OFFICE)),
                area_id=membership.area_id,
                workstream_id=membership.workstream_id,
            )
        )
    named = {programme.senior_responsible_owner_id, *invitations} - set(rows) - {None}
    for person in programme.organisation.people.filter(pk__in=named).select_related("user"):
        rows[person.pk] = PersonRow(person)
    now = timezone.now()
    for row in rows.values():
        person, account = row.person, row.person.user
        row.sign_in = sign_in_state(person, invitations, now)
        row.invited = person.pk in invitations
        signs_in = account is not None and account.has_usable_password()
        switched_off = account is not None and not account.is_active
        # The portfolio office invites the programme office it appointed (services.may_invite).
        may_invite_them = can_manage or (
            can_appoint and any(line.membership.role == Role.PROGRAMME_OFFICE for line in row.roles)
        )
        row.can_invite = (
            may_invite_them and bool(row.roles) and not person.is_team and not signs_in
        ) and not switched_off
    people_rows = sorted(rows.values(), key=lambda row: row.person.name.lower())
    others = []
    if can_appoint:
        others = list(programme.organisation.people.exclude(pk__in=list(rows)).order_by("name"))
    return render(
        request,
        "programmes/programme_people.html",
        {
            "programme": programme,
            "header_organisation": programme.organisation,
            "rows": people_rows,
            "others": others,
            "contacts": contacts,
            "can_manage": can_manage,
            "can_appoint": can_appoint,
            "portfolio_office": sorted(
                programme.organisation.organisation_roles.filter(
                    role=Role.PORTFOLIO_OFFICE
                ).values_list("person__name", flat=True)
            ),
            "history": _people_history(programme, set(rows), full=contacts),
        },
    )


def _person(request, programme: Programme, person_id: int) -> Person:
    """A person of the programme's organisation (404 for anyone else's)."""
    person = programme.organisation.people.select_related("user").filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person")
    return person


@login_required
def person_add(request, programme_id: int):
    programme = programme_for(request, programme_id, Action.MANAGE_PEOPLE)
    form = PersonForm(posted(request))
    person = save_form(
        form,
        lambda data: add_person(programme, by=request.user, details=data),
        noun="person",
    )
    if person is not None:
        messages.success(request, f"{person.name} added: now give them a role")
        return redirect(f"{reverse('programme_role_add', args=[programme.pk])}?person={person.pk}")
    return render(
        request,
        "programmes/person_form.html",
        {"form": form, "programme": programme, "header_organisation": programme.organisation},
        status=400 if form.errors else 200,
    )


@login_required
def person_edit(request, programme_id: int, person_id: int):
    programme = programme_for(request, programme_id, Action.MANAGE_PEOPLE)
    person = _person(request, programme, person_id)
    form = PersonForm(posted(request), person=person)
    if save_form(
        form,
        lambda data: change_person(
            person, programme, by=request.user, version=data["version"], details=data
        ),
        noun="person",
    ):
        messages.success(request, f"{person.name}'s details saved")
        return redirect("programme_people", programme.pk)
    return render(
        request,
        "programmes/person_form.html",
        {
            "form": form,
            "programme": programme,
            "person": person,
            "header_organisation": programme.organisation,
        },
        status=409 if form.conflict else 400 if form.errors else 200,
    )


@login_required
def role_add(request, programme_id: int):
    """Give a person a role. The portfolio office appoints only the programme office."""
    programme = programme_for(request, programme_id, Action.APPOINT_PROGRAMME_OFFICE)
    if may(request.user, Action.MANAGE_PEOPLE, programme):
        roles = [role for role in Role if role != Role.PORTFOLIO_OFFICE]
    else:
        roles = [Role.PROGRAMME_OFFICE]
    initial = {}
    person_id = read_id(request.GET.get("person"))
    if person_id is not None:
        initial["person"] = person_id
    form = RoleForm(posted(request), programme=programme, roles=roles, initial=initial)
    membership = save_form(
        form,
        lambda data: give_role(
            programme,
            by=request.user,
            person=data["person"],
            role=data["role"],
            area=data.get("area"),
            workstream=data.get("workstream"),
        ),
        noun="role",
    )
    if membership is not None:
        messages.success(
            request,
            f"{membership.person.name} is now {membership.get_role_display().lower()} of "
            f"{_where(membership)}",
        )
        return redirect("programme_people", programme.pk)
    return render(
        request,
        "programmes/role_form.html",
        {
            "form": form,
            "programme": programme,
            "header_organisation": programme.organisation,
            "appoints_office_only": len(roles) == 1,
        },
        status=400 if form.errors else 200,
    )


@login_required
def role_remove(request, programme_id: int, membership_id: int):
    """Take a granted role away (asked first); access goes with the person's next request."""
    programme = programme_for(request, programme_id)
    membership = (
        programme.memberships.select_related("person", "area", "workstream")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404("No such role")
    action = (
        Action.APPOINT_PROGRAMME_OFFICE
        if membership.role == Role.PROGRAMME_OFFICE
        else Action.MANAGE_PEOPLE
    )
    if not may(request.user, action, programme):
        raise PermissionDenied("Your role does not allow this")
    form = forms.Form(posted(request))
    if request.method == "POST":
        try:
            remove_role(
                membership,
                by=request.user,
                milestones_seen=request.POST.get("milestones_seen") == "yes",
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"{membership.person.name} is no longer "
                f"{membership.get_role_display().lower()} of {_where(membership)}",
            )
            return redirect("programme_people", programme.pk)
    return render(
        request,
        "programmes/role_remove.html",
        {
            "form": form,
            "programme": programme,
            "membership": membership,
            "where": _where(membership),
            "left_behind": milestones_left_behind(membership),
            "header_organisation": programme.organisation,
        },
        status=400 if form.errors else 200,
    )


@login_required
def person_invite(request, programme_id: int, person_id: int):
    """Invite a person to sign in: an email with a link to set their password."""
    programme = programme_for(request, programme_id)
    person = _person(request, programme, person_id)
    if not may_invite(request.user, person, programme):
        raise PermissionDenied("Your role does not allow this")
    form = ChangeForm(posted(request), instance=person)
    invitation = save_form(
        form,
        lambda data: invite_person(person, programme, by=request.user, version=data["version"]),
        noun="person",
        doing="inviting them",
        outcome="Nobody was invited: check their details, and invite them again.",
    )
    if invitation is not None:
        messages.success(request, f"Invitation sent to {person.name} at {invitation.email}")
        return redirect("programme_people", programme.pk)
    return render(
        request,
        "programmes/person_invite.html",
        {
            "form": form,
            "programme": programme,
            "person": person,
            "days": invitation_tokens.timeout.days,
            "header_organisation": programme.organisation,
        },
        status=409 if form.conflict else 400 if form.errors else 200,
    )


# ----- Setting a password from a link -----


@dataclass(frozen=True)
class PasswordLink:
    """A kind of emailed link that sets a password: its tokens, the page's words, and what
    setting the password does besides (an invitation is accepted). A password reset is
    another of these, on the same page (programmes/accounts/reset.py)."""

    tokens: LinkTokenGenerator
    title: str
    lead: str
    button: str
    done: Callable[..., None]
    success: str
    expired: str


INVITATION_LINK = PasswordLink(
    tokens=invitation_tokens,
    title="Set your password",
    lead="You have been invited to sign in. Choose a password to finish.",
    button="Set password and sign in",
    done=accept_invitation,
    success="Your password is set and you are signed in",
    expired=(
        "This link has expired or has already been used: "
        "ask your programme office to invite you again."
    ),
)


def set_password_page(request, uidb64: str, token: str, link: PasswordLink):
    """The page an emailed link opens: a new password, checked by the site's password rules
    and typed twice; once set, the person is signed in and sent to My work. A link expired,
    used already or altered gets a page saying so, and changes nothing."""
    user = user_from_link(uidb64, token, link.tokens)
    if user is None:
        return render(
            request, "registration/link_expired.html", {"message": link.expired}, status=400
        )
    form = NewPasswordForm(posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        link.done(user, form.cleaned_data["password"])
        login(request, user, backend=MODEL_BACKEND)
        messages.success(request, link.success)
        return redirect("home")
    return render(
        request,
        "registration/set_password.html",
        {"form": form, "link": link, "username": user.get_username()},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("password", "confirmation")
@never_cache
def invitation_accept(request, uidb64: str, token: str):
    return set_password_page(request, uidb64, token, INVITATION_LINK)
