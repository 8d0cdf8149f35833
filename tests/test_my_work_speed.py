"""My work at scale (issue 17): a fixed number of queries whatever the data size, and no query
for a list the person owns nothing of; what they do own by name is still listed."""

import re
from datetime import timedelta
from html import escape

import pytest
from django.urls import reverse

from programmes.choices import Role
from programmes.dates import FinancialYear
from reporting.my_work import my_work
from risks.models import ActionItem, Issue, IssueAction, MitigationAction
from tests.clock import TODAY
from tests.factories import (
    MeasureFactory,
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
)

THIS_MONTH = TODAY.replace(day=1)


def owned_by_name(programme, person, n: int) -> None:
    """One of each kind My work lists by owner, in a workstream the person does not lead."""
    workstream = WorkstreamFactory(area__programme=programme)
    MilestoneFactory(
        workstream=workstream,
        owner=person,
        title=f"Owned milestone {n}",
        baseline_date=TODAY - timedelta(days=2),
    )
    measure = MeasureFactory(workstream=workstream, owner=person, title=f"Owned measure {n}")
    MeasureTargetFactory(measure=measure, financial_year=FinancialYear.containing(TODAY).start_year)
    risk = RiskFactory(
        programme=programme,
        owner=person,
        title=f"Owned risk {n}",
        review_date=TODAY - timedelta(days=3),
    )
    MitigationAction.objects.create(
        risk=risk, owner=person, description=f"Owned mitigation {n}", due_date=TODAY
    )
    issue = Issue.objects.create(
        programme=programme,
        reference=f"I{n}",
        title=f"Owned issue {n}",
        description="It happened",
        severity="high",
        raised_on=TODAY - timedelta(days=10),
    )
    IssueAction.objects.create(
        issue=issue, owner=person, description=f"Owned issue action {n}", due_date=TODAY
    )
    ActionItem.objects.create(
        programme=programme,
        number=n,
        description=f"Owned board action {n}",
        owner=person,
        due_date=TODAY - timedelta(days=1),
    )


@pytest.mark.parametrize("size", [1, 3])
def test_what_a_person_owns_by_name_is_listed_in_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    user = UserFactory()
    person = PersonFactory(user=user)
    programme = ProgrammeFactory()
    PeriodFactory(programme=programme, month=THIS_MONTH)
    grant(user, Role.BOARD_MEMBER, programme=programme)
    for n in range(1, size + 1):
        owned_by_name(programme, person, n)
    client.force_login(user)
    # The session, the user, the roles, the person with what they own, the periods, and a
    # query for each kind they own (5 lists, 2 kinds of action), two for dependencies at most.
    with django_assert_max_num_queries(14):
        html = client.get(reverse("home")).content.decode()
    for n in range(1, size + 1):
        for what in ("milestone", "measure", "risk", "mitigation", "issue action", "board action"):
            assert f"Owned {what} {n}" in html, what
    assert f"Overdue milestones ({size})" in html
    assert f"Risk and issue actions due ({2 * size})" in html


def test_a_list_the_person_owns_nothing_of_costs_no_query(
    client, db, django_assert_max_num_queries
):
    """The programme office of many programmes owns nothing by name: its page reads the
    person, their roles, the periods and the updates to chase, and the narratives and reports
    to approve, whatever the number of programmes and workstreams."""
    user = UserFactory()
    PersonFactory(user=user)
    for _ in range(3):
        programme = ProgrammeFactory()
        period = PeriodFactory(programme=programme, month=THIS_MONTH)
        grant(user, Role.PROGRAMME_OFFICE, programme=programme)
        for _ in range(2):
            workstream = WorkstreamFactory(area__programme=programme, lead=PersonFactory())
            MilestoneFactory(workstream=workstream, baseline_date=TODAY - timedelta(days=3))
        StatusUpdateFactory(workstream=workstream, period=period)  # a draft
    client.force_login(user)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("home")).content.decode()
    assert "Status updates not yet submitted (6)" in html
    assert html.count("Draft saved") == 3
    assert "Overdue milestones" not in html  # not theirs


def test_the_updates_table_escapes_what_it_writes(client, db):
    user = UserFactory()
    PersonFactory(user=user)
    programme = ProgrammeFactory(name="Adults & <Health>")
    period = PeriodFactory(programme=programme, month=THIS_MONTH)
    grant(user, Role.PROGRAMME_OFFICE, programme=programme)
    WorkstreamFactory(
        area__programme=programme, name="Care <b>homes</b>", lead=PersonFactory(name="O'Neil")
    )
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert "Care &lt;b&gt;homes&lt;/b&gt;" in html and "<b>homes" not in html
    assert "Adults &amp; &lt;Health&gt;" in html
    assert "(lead: O&#x27;Neil)" in html
    assert period.label in html
    work = my_work(user, TODAY)
    assert [due.programme_id for due in work.updates_due] == [programme.pk]


def test_many_updates_to_chase_fold_by_programme_a_few_stay_one_table(client, db):
    """More than UPDATES_FLAT_UP_TO: a folded block for each programme, saying its count,
    period and cut-off once; a few: one table with the period and cut-off on each row."""
    from reporting.my_work import UPDATES_FLAT_UP_TO

    office = UserFactory()
    PersonFactory(user=office)
    workstreams = {}
    for name, size in (("Adults", UPDATES_FLAT_UP_TO - 2), ("Children & <Families>", 4)):
        programme = ProgrammeFactory(name=name)
        PeriodFactory(programme=programme, month=THIS_MONTH)
        grant(office, Role.PROGRAMME_OFFICE, programme=programme)
        workstreams[name] = [
            WorkstreamFactory(area__programme=programme, lead=PersonFactory()) for _ in range(size)
        ]
    client.force_login(office)
    html = client.get(reverse("home")).content.decode()

    assert f"Status updates not yet submitted ({UPDATES_FLAT_UP_TO + 2})" in html
    blocks = re.findall(
        r'<details class="govuk-details app-updates-due">(.*?)</details>', html, re.S
    )
    assert len(blocks) == 2
    for block, (name, chased) in zip(blocks, sorted(workstreams.items()), strict=True):
        summary = block.split("</summary>")[0]
        assert f"{escape(name)}: {len(chased)} workstreams" in summary and "cut-off" in summary
        assert block.count('<tr class="govuk-table__row"><td') == len(chased)
        for workstream in chased:
            assert f"/workstreams/{workstream.pk}/updates/" in block
        assert "Period</th>" not in block  # said once, above

    lead = UserFactory()
    grant(lead, Role.WORKSTREAM_LEAD, workstream=workstreams["Adults"][0])
    client.force_login(lead)
    html = client.get(reverse("home")).content.decode()
    assert "app-updates-due" not in html
    assert "Period</th>" in html and 'data-label="Cut-off"' in html
