"""factory_boy factories for the plan. Dates default to a plan in flight around 2026."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from programmes.choices import DatePrecision, Role
from programmes.models import (
    Membership,
    Organisation,
    OrganisationRole,
    Person,
    Programme,
    ProgrammeArea,
    ReportingPeriod,
)
from risks.models import Risk
from workstreams.models import (
    BudgetLine,
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    StatusUpdate,
    Workstream,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or "correct-horse-battery")
        if create:
            user.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Council {n}")
    slug = factory.Sequence(lambda n: f"council-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Person {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    starts_on = date(2026, 1, 1)
    ends_on = date(2028, 3, 31)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeArea

    programme = factory.SubFactory(ProgrammeFactory)
    reference = factory.Sequence(lambda n: str(n + 1))
    name = factory.Sequence(lambda n: f"Area {n}")


class WorkstreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workstream

    area = factory.SubFactory(AreaFactory)
    programme = factory.SelfAttribute("area.programme")
    reference = factory.Sequence(lambda n: f"W{n}")
    name = factory.Sequence(lambda n: f"Workstream {n}")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    workstream = factory.SubFactory(WorkstreamFactory)
    reference = factory.Sequence(lambda n: f"M{n}")
    title = factory.Sequence(lambda n: f"Milestone {n}")
    baseline_date = date(2026, 9, 30)
    baseline_precision = DatePrecision.DAY


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    workstream = factory.SubFactory(WorkstreamFactory)
    reference = factory.Sequence(lambda n: f"NI {n}")
    title = factory.Sequence(lambda n: f"Measure {n}")


class MeasureTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureTarget

    measure = factory.SubFactory(MeasureFactory)
    financial_year = 2026
    value = Decimal(100)


class MeasureReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureReading

    measure = factory.SubFactory(MeasureFactory)
    period = date(2026, 10, 1)
    value = Decimal(100)


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod

    programme = factory.SubFactory(ProgrammeFactory)
    month = date(2026, 10, 1)
    cut_off = date(2026, 10, 23)


class StatusUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusUpdate

    workstream = factory.SubFactory(WorkstreamFactory)
    period = factory.SubFactory(
        PeriodFactory, programme=factory.SelfAttribute("..workstream.programme")
    )
    rag = "green"


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    workstream = factory.SubFactory(WorkstreamFactory)
    financial_year = 2026
    description = "Staffing"
    allocated = Decimal(1000)
    forecast = Decimal(1000)


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    programme = factory.SubFactory(ProgrammeFactory)
    reference = factory.Sequence(lambda n: f"R{n}")
    title = factory.Sequence(lambda n: f"Risk {n}")
    event = "Something may happen"
    category = "internal"
    raised_on = date(2026, 4, 1)
    current_likelihood = 3
    current_impact = 3


def grant(user, role: Role, *, programme=None, area=None, workstream=None) -> Membership:
    """Give a user a role, creating their person if they have none."""
    person = getattr(user, "person", None)
    if person is None:
        scope_programme = programme or (area.programme if area else workstream.programme)
        person = PersonFactory(organisation=scope_programme.organisation, user=user)
        user.person = person
    if workstream is not None:
        programme = workstream.programme
    elif area is not None:
        programme = area.programme
    membership = Membership.objects.create(
        person=person, role=role, programme=programme, area=area, workstream=workstream
    )
    user.__dict__.pop("_programme_access", None)
    return membership


def grant_portfolio_office(user, organisation) -> OrganisationRole:
    """Make a user the portfolio office of an organisation, creating their person if needed."""
    person = getattr(user, "person", None)
    if person is None:
        person = PersonFactory(organisation=organisation, user=user)
        user.person = person
    return OrganisationRole.objects.create(
        person=person, organisation=organisation, role=Role.PORTFOLIO_OFFICE
    )
