"""Inviting a person of the plan to sign in (issue 11): the programme office sends an email
with a link to set a password, valid for 7 days and once. The person sets a password the
site's rules accept, typed twice, and is signed in on My work. A link expired, used already or
altered gets a clear page and changes nothing."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Role
from programmes.models import Invitation, Membership, Person
from programmes.tokens import invitation_tokens, link_parts
from tests.clock import TODAY
from tests.factories import PeriodFactory, PersonFactory, UserFactory, grant_portfolio_office

EXPIRED = "This link has expired or has already been used"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def pat(plan):
    """A board member who does not sign in yet."""
    person = PersonFactory(
        organisation=plan["programme"].organisation,
        name="Pat Quinn",
        email="Pat.Quinn@Harrow.example.org",
    )
    Membership.objects.create(person=person, role=Role.BOARD_MEMBER, programme=plan["programme"])
    return person


def invite_url(plan, person) -> str:
    return reverse("programme_person_invite", args=[plan["programme"].pk, person.pk])


def invite(client, plan, person, capture, version=None):
    """Send the invitation as the signed-in user; the email goes once the save commits."""
    person.refresh_from_db()
    with capture(execute=True):
        return client.post(invite_url(plan, person), {"version": version or person.version})


def link_in(email) -> str:
    return re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/[^/\s]+/)", email.body).group(1)


def set_password(client, link, password=PASSWORD, confirmation=None):
    return client.post(
        link,
        {"password": password, "confirmation": password if confirmation is None else confirmation},
    )


# ----- Inviting -----


def test_the_programme_office_invites_a_person_by_email(
    client, plan, people, pat, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])

    response = invite(client, plan, pat, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    pat.refresh_from_db()
    user = pat.user
    assert user.username == "pat.quinn@harrow.example.org"
    assert user.email == "pat.quinn@harrow.example.org"
    assert user.is_active and not user.has_usable_password()
    invitation = Invitation.objects.get(person=pat)
    assert (invitation.programme, invitation.sent_by, invitation.accepted_at) == (
        plan["programme"],
        people["office"],
        None,
    )
    [email] = mail.outbox
    assert email.to == ["pat.quinn@harrow.example.org"]
    assert plan["programme"].name in email.subject
    assert "7 days" in email.body
    assert link_in(email).startswith("/invitation/")


def test_the_email_is_sent_only_once_the_invitation_is_saved(
    client, plan, people, pat, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(invite_url(plan, pat), {"version": pat.version})

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_only_the_newest_invitation_is_emailed_when_two_wait_to_be_sent(
    client, plan, people, pat, django_capture_on_commit_callbacks
):
    # Each invitation's email is a background job that makes the link when it runs; a job
    # for an invitation replaced before it ran sends nothing, as its link no longer works.
    client.force_login(people["office"])
    with django_capture_on_commit_callbacks(execute=False) as first:
        client.post(invite_url(plan, pat), {"version": pat.version})
    pat.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as second:
        client.post(invite_url(plan, pat), {"version": pat.version})

    for callback in [*first, *second]:
        callback()

    assert Invitation.objects.filter(person=pat).count() == 2
    [email] = mail.outbox
    client.logout()
    page = client.get(link_in(email))
    assert page.status_code == 200 and "Set your password" in page.content.decode()


@pytest.mark.parametrize("role", ["board", "sponsor", "manager", "lead"])
def test_only_the_programme_office_invites(client, plan, people, pat, role):
    client.force_login(people[role])

    response = client.post(invite_url(plan, pat), {"version": pat.version})

    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert get_user_model().objects.filter(username__icontains="quinn").count() == 0


def test_an_invitation_without_an_email_address_is_refused(
    client, plan, people, pat, django_capture_on_commit_callbacks
):
    pat.email = ""
    pat.save()
    client.force_login(people["office"])

    response = invite(client, plan, pat, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert "Pat Quinn has no email address" in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []
    pat.refresh_from_db()
    assert pat.user is None


def test_a_team_is_not_invited(client, plan, people, pat, django_capture_on_commit_callbacks):
    pat.is_team = True
    pat.save()
    client.force_login(people["office"])

    response = invite(client, plan, pat, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert "is a team" in response.content.decode()
    assert not Invitation.objects.exists()


def test_someone_with_no_role_in_the_programme_is_not_invited(
    client, plan, people, pat, django_capture_on_commit_callbacks
):
    Membership.objects.filter(person=pat).delete()
    client.force_login(people["office"])

    response = invite(client, plan, pat, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert "has no role in this programme" in response.content.decode()
    assert not Invitation.objects.exists()


def test_someone_who_already_signs_in_is_not_sent_a_link(
    client, plan, people, django_capture_on_commit_callbacks
):
    lead = people["lead"]
    lead.person.email = "lead@harrow.example.org"
    lead.person.save()
    password_before = lead.password
    client.force_login(people["office"])

    response = invite(client, plan, lead.person, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert "already signs in" in response.content.decode()
    lead.refresh_from_db()
    assert lead.password == password_before
    assert mail.outbox == []


def test_an_email_address_someone_else_signs_in_with_is_refused(
    client, plan, people, pat, django_capture_on_commit_callbacks
):
    UserFactory(username="pat.quinn@harrow.example.org")
    client.force_login(people["office"])

    response = invite(client, plan, pat, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert "Someone else already signs in as" in response.content.decode()
    pat.refresh_from_db()
    assert pat.user is None


def test_an_invitation_after_someone_changed_the_address_is_refused(
    client, plan, people, pat, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])
    opened_at = pat.version
    pat.email = "someone.else@example.org"
    pat.save()

    response = invite(client, plan, pat, django_capture_on_commit_callbacks, version=opened_at)

    assert response.status_code == 409
    assert "Someone else changed this person" in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_a_person_of_another_organisation_is_not_found(client, plan, people):
    stranger = PersonFactory(name="Someone Elsewhere", email="someone@example.org")
    client.force_login(people["office"])

    assert client.post(invite_url(plan, stranger), {"version": 1}).status_code == 404
    assert not Invitation.objects.exists()


def test_the_invitation_is_in_the_history_on_the_people_page(
    client, plan, people, pat, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])
    invite(client, plan, pat, django_capture_on_commit_callbacks)

    html = client.get(reverse("programme_people", args=[plan["programme"].pk])).content.decode()

    assert "Invited to sign in (pat.quinn@harrow.example.org)" in html
    assert "not yet accepted" in html


# ----- Accepting -----


@pytest.fixture
def link(client, plan, people, pat, django_capture_on_commit_callbacks):
    """The link in Pat's invitation email; the client is then signed out."""
    client.force_login(people["office"])
    invite(client, plan, pat, django_capture_on_commit_callbacks)
    client.logout()
    return link_in(mail.outbox[-1])


def test_the_person_sets_a_password_and_is_signed_in_on_my_work(client, pat, link):
    page = client.get(link)
    assert page.status_code == 200
    assert "pat.quinn@harrow.example.org" in page.content.decode()

    response = set_password(client, link)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    pat.refresh_from_db()
    assert pat.user.check_password(PASSWORD)
    assert Invitation.objects.get(person=pat).accepted_at is not None
    assert client.session["_auth_user_id"] == str(pat.user.pk)
    assert client.get(reverse("home")).status_code == 200


def test_the_person_can_sign_in_with_the_password_afterwards(client, pat, link):
    set_password(client, link)
    client.logout()

    response = client.post(
        reverse("login"), {"username": "pat.quinn@harrow.example.org", "password": PASSWORD}
    )

    assert response.status_code == 302


def test_a_used_link_does_not_work_again(client, pat, link):
    set_password(client, link)
    client.logout()

    again = client.get(link)
    sent_again = set_password(client, link, password="another long passphrase")

    assert again.status_code == 400 and EXPIRED in again.content.decode()
    assert sent_again.status_code == 400
    pat.refresh_from_db()
    assert pat.user.check_password(PASSWORD)


def test_a_link_works_for_seven_days_and_not_after(client, pat, link):
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=-1)):
        assert client.get(link).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1)):
        expired = client.get(link)
        sent = set_password(client, link)

    assert expired.status_code == 400 and EXPIRED in expired.content.decode()
    assert sent.status_code == 400 and EXPIRED in sent.content.decode()
    pat.refresh_from_db()
    assert not pat.user.has_usable_password()
    assert Invitation.objects.get(person=pat).accepted_at is None
    assert "_auth_user_id" not in client.session


def _tampered(link: str, plan, people) -> list[str]:
    _, _, uidb64, token, _ = link.split("/")
    other_uid, _ = link_parts(people["lead"], invitation_tokens)
    stamp, digest = token.split("-")
    return [
        f"/invitation/{uidb64}/{stamp}-{digest[:-1]}{'0' if digest[-1] != '0' else '1'}/",
        f"/invitation/{other_uid}/{token}/",
        f"/invitation/{uidb64}/{int(stamp, 36) + 86400:x}-{digest}/",
        f"/invitation/{uidb64}/not-a-token/",
        "/invitation/!!!/x/",
        f"/invitation/{uidb64}/{'z' * 40}-{digest}/",
    ]


def test_an_altered_link_changes_nothing(client, plan, people, pat, link):
    lead_password = people["lead"].password
    for altered in _tampered(link, plan, people):
        shown = client.get(altered)
        sent = set_password(client, altered)
        assert shown.status_code == 400, altered
        assert EXPIRED in shown.content.decode(), altered
        assert sent.status_code == 400, altered
    pat.refresh_from_db()
    people["lead"].refresh_from_db()
    assert not pat.user.has_usable_password()
    assert people["lead"].password == lead_password
    assert "_auth_user_id" not in client.session


def test_a_link_for_a_password_reset_does_not_work_as_an_invitation(client, pat, link):
    from django.contrib.auth.tokens import default_token_generator

    pat.refresh_from_db()
    uidb64, _ = link_parts(pat.user, invitation_tokens)
    reset_token = default_token_generator.make_token(pat.user)

    assert client.get(f"/invitation/{uidb64}/{reset_token}/").status_code == 400


def test_inviting_again_sends_a_fresh_link_and_the_old_one_stops_working(
    client, plan, people, pat, link, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])
    invite(client, plan, pat, django_capture_on_commit_callbacks)
    client.logout()
    fresh = link_in(mail.outbox[-1])

    assert fresh != link
    assert client.get(link).status_code == 400
    assert set_password(client, fresh).status_code == 302
    assert Invitation.objects.filter(person=pat).count() == 2
    assert not Invitation.objects.filter(person=pat, accepted_at__isnull=True).exists()


def test_a_switched_off_account_cannot_use_its_link(client, pat, link):
    pat.refresh_from_db()
    get_user_model().objects.filter(pk=pat.user_id).update(is_active=False)

    assert client.get(link).status_code == 400
    assert set_password(client, link).status_code == 400


@pytest.mark.parametrize(
    ("password", "confirmation", "message"),
    [
        ("", "", "Enter a password"),
        ("short", "short", "This password is too short"),
        ("password12345", "password12345", "This password is too common"),
        ("8392017465013", "8392017465013", "This password is entirely numeric"),
        (
            "pat.quinn@harrow.example.org",
            "pat.quinn@harrow.example.org",
            "too similar to the",
        ),
        (PASSWORD, "correct horse battery stapler", "The passwords do not match"),
        (PASSWORD, "", "Type the password again"),
    ],
)
def test_passwords_the_rules_refuse_are_refused_and_the_link_still_works(
    client, pat, link, password, confirmation, message
):
    response = set_password(client, link, password, confirmation)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "<title>Error: " in html
    pat.refresh_from_db()
    assert not pat.user.has_usable_password()
    assert "_auth_user_id" not in client.session
    assert set_password(client, link).status_code == 302


def test_the_password_page_does_not_show_what_was_typed(client, link):
    response = set_password(client, link, PASSWORD, "something else entirely")

    assert PASSWORD not in response.content.decode()


def test_a_new_lead_is_invited_and_sees_their_workstream_on_my_work(
    client, plan, people, django_capture_on_commit_callbacks
):
    lead = PersonFactory(
        organisation=plan["programme"].organisation, name="Lee Newman", email="lee@example.org"
    )
    workstream = plan["ws_2_1"]
    workstream.lead = lead
    workstream.save()
    from programmes.services import sync_workstream_memberships

    sync_workstream_memberships(workstream)
    PeriodFactory(programme=plan["programme"], month=TODAY.replace(day=1), cut_off=TODAY)
    client.force_login(people["office"])
    invite(client, plan, lead, django_capture_on_commit_callbacks)
    client.logout()

    set_password(client, link_in(mail.outbox[-1]))
    my_work = client.get(reverse("home")).content.decode()

    assert workstream.name in my_work
    assert Person.objects.get(pk=lead.pk).user.username == "lee@example.org"


@pytest.mark.parametrize(
    ("password", "confirmation", "field", "message"),
    [
        ("", "", "password", "Enter a password"),
        ("short", "short", "password", "This password is too short"),
        ("password12345", "password12345", "password", "This password is too common"),
        (PASSWORD, "correct horse battery stapler", "confirmation", "The passwords do not match"),
        (PASSWORD, "", "confirmation", "Type the password again"),
    ],
)
def test_a_refused_password_is_told_by_its_field_and_in_the_summary(
    client, link, password, confirmation, field, message
):
    html = set_password(client, link, password, confirmation).content.decode()

    error = re.search(rf'<p id="id_{field}-error" class="govuk-error-message">(.*?)</p>', html)
    assert error is not None and message in error.group(1)
    assert f'<a href="#id_{field}">{message}' in html
    assert re.search(rf'id="id_{field}"[^>]*aria-describedby="[^"]*id_{field}-error', html)


def test_a_password_refused_for_several_reasons_says_each_by_the_field_under_one_id(client, link):
    html = set_password(client, link, "12345", "12345").content.decode()

    assert html.count('id="id_password-error"') == 1
    error = re.search(
        r'<p id="id_password-error" class="govuk-error-message">(.*?)</p>', html, re.S
    )
    for message in ("too short", "too common", "entirely numeric"):
        assert message in error.group(1), message


def test_the_people_page_says_when_an_invitation_has_expired(
    client, plan, people, pat, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])
    invite(client, plan, pat, django_capture_on_commit_callbacks)
    people_page = reverse("programme_people", args=[plan["programme"].pk])

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        client.force_login(people["office"])  # the session of a week ago has ended
        html = client.get(people_page).content.decode()

    assert f"Invitation of {TODAY:%-d %b %Y} expired" in html


def test_once_accepted_the_people_page_says_they_sign_in(client, plan, people, pat, link):
    set_password(client, link)
    client.force_login(people["office"])

    html = client.get(reverse("programme_people", args=[plan["programme"].pk])).content.decode()

    assert "not yet accepted" not in html
    row = html[html.index("Pat Quinn") :]
    assert "Signs in" in row[: row.index("</tr>")]


def test_the_invitation_and_its_acceptance_are_recorded_with_who_did_them(
    client, plan, people, pat, link
):
    set_password(client, link)

    pat.refresh_from_db()
    records = Invitation.history.filter(person=pat).order_by("history_date")
    assert [(r.history_type, r.history_user, r.accepted_at is None) for r in records] == [
        ("+", people["office"], True),
        ("~", pat.user, False),
    ]


@pytest.mark.parametrize("version", ["", "abc"])
def test_an_invitation_sent_without_a_usable_version_asks_to_reload(
    client, plan, people, pat, django_capture_on_commit_callbacks, version
):
    client.force_login(people["office"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_url(plan, pat), {"version": version})

    assert response.status_code == 400
    assert "Please reload the page" in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []
    pat.refresh_from_db()
    assert pat.user is None


def test_the_portfolio_office_invites_the_programme_office_it_appointed_and_nobody_else(
    client, plan, pat, django_capture_on_commit_callbacks
):
    """The portfolio office names a programme's office (often someone new) and lets them in;
    everyone else is the programme office's to invite."""
    programme = plan["programme"]
    officer = PersonFactory(
        organisation=programme.organisation, name="Priya Shah", email="priya@example.org"
    )
    Membership.objects.create(person=officer, role=Role.PROGRAMME_OFFICE, programme=programme)
    portfolio = UserFactory()
    grant_portfolio_office(portfolio, programme.organisation)
    client.force_login(portfolio)

    refused = invite(client, plan, pat, django_capture_on_commit_callbacks)
    assert refused.status_code in (403, 404)
    assert mail.outbox == []

    sent = invite(client, plan, officer, django_capture_on_commit_callbacks)
    assert sent.status_code == 302
    assert [email.to for email in mail.outbox] == [["priya@example.org"]]
