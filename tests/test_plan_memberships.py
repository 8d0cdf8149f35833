"""The plan's sponsors, project managers and leads hold those roles, and only while they do."""

from programmes.choices import Role
from programmes.models import Membership
from programmes.permissions import Action, may
from tests.factories import MilestoneFactory, PersonFactory, UserFactory


def fresh(user):
    user.__dict__.pop("_programme_access", None)
    return user


def test_naming_a_lead_gives_them_the_lead_role_and_replacing_them_takes_it_away(plan):
    workstream = plan["ws_1_1"]
    milestone = MilestoneFactory(workstream=workstream)
    anne = PersonFactory(organisation=plan["programme"].organisation, user=UserFactory())
    keith = PersonFactory(organisation=plan["programme"].organisation, user=UserFactory())

    workstream.lead = anne
    workstream.save()
    assert may(fresh(anne.user), Action.UPDATE_MILESTONE, milestone)

    workstream.lead = keith
    workstream.save()
    assert not may(fresh(anne.user), Action.UPDATE_MILESTONE, milestone)
    assert may(fresh(keith.user), Action.UPDATE_MILESTONE, milestone)
    assert not Membership.objects.filter(person=anne).exists()


def test_an_areas_sponsor_and_project_manager_hold_area_roles(plan):
    area = plan["area_one"]
    sponsor = PersonFactory(organisation=plan["programme"].organisation)
    manager = PersonFactory(organisation=plan["programme"].organisation)
    area.sponsor, area.project_manager = sponsor, manager
    area.save()
    roles = set(Membership.objects.filter(area=area).values_list("person__name", "role"))
    assert roles == {(sponsor.name, Role.SPONSOR), (manager.name, Role.PROJECT_MANAGER)}


def test_a_granted_role_survives_changes_to_the_plan(plan):
    deputy = PersonFactory(organisation=plan["programme"].organisation)
    Membership.objects.create(
        person=deputy, role=Role.PROJECT_MANAGER, programme=plan["programme"], area=plan["area_one"]
    )
    area = plan["area_one"]
    area.project_manager = PersonFactory(organisation=plan["programme"].organisation)
    area.save()
    assert Membership.objects.filter(person=deputy, area=area).exists()
