"""Filters of the risk register, the decision log and the action log (DOMAIN.md sections 3, 6
and 7).

The risk heat map links here with a cell's likelihood and impact, on current scores or,
with `scores=inherent`, on inherent ones. Without a status the register shows open risks,
as the heat map counts them.
"""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.forms import ModelChoiceField
from django.utils import timezone

from programmes.caching import keep, known_changes
from programmes.choices import Rag
from programmes.dates import add_months
from programmes.filtersets import ComputedChoiceFilter, ProgrammeFilterSet, SearchFilter
from programmes.models import Person, ProgrammeArea
from risks.models import (
    ActionItem,
    ActionStatus,
    BoardMeeting,
    CommunicationFrequency,
    CommunicationItem,
    Decision,
    DecisionStatus,
    Issue,
    IssuePriority,
    IssueSeverity,
    IssueStatus,
    Lesson,
    LessonCategory,
    Risk,
    RiskCategory,
    RiskStatus,
    Stakeholder,
)
from risks.rules import Movement, Quadrant
from workstreams.models import Workstream

CURRENT, INHERENT = "current", "inherent"
ONE_TO_FIVE = [(str(number), str(number)) for number in range(1, 6)]
BANDS = [(rag.value, rag.label) for rag in (Rag.RED, Rag.AMBER, Rag.GREEN)]


# As a choice of model instances says a value that is not among them.
NOT_AMONG_THE_CHOICES = {
    "invalid_choice": ModelChoiceField.default_error_messages["invalid_choice"]
}


def _risk_filter_choices(programme) -> dict[str, list[tuple[str, str]]]:
    """The register's choices of owner (the people owning a risk of the programme), area and
    workstream, as ids and names, in the order and words of the instances' choices."""
    return {
        "owner": [
            (str(pk), name)
            for pk, name in Person.objects.filter(risks__programme=programme)
            .distinct()
            .order_by("name")
            .values_list("pk", "name")
        ],
        "area": [
            (str(area.pk), str(area))
            for area in ProgrammeArea.objects.filter(programme=programme).only(
                "pk", "reference", "name"
            )
        ],
        "workstream": [
            (str(workstream.pk), str(workstream))
            for workstream in Workstream.objects.filter(programme=programme).only(
                "pk", "reference", "name"
            )
        ],
    }


class RiskFilterSet(ProgrammeFilterSet):
    status = django_filters.ChoiceFilter(choices=RiskStatus.choices, empty_label="Any status")
    scores = ComputedChoiceFilter(
        label="Scores to filter on",
        choices=[
            (CURRENT, "Current"),
            (INHERENT, "Inherent"),
        ],
        empty_label=None,
    )
    likelihood = django_filters.ChoiceFilter(
        label="Likelihood", choices=ONE_TO_FIVE, empty_label="Any", method="filter_score_part"
    )
    impact = django_filters.ChoiceFilter(
        label="Impact", choices=ONE_TO_FIVE, empty_label="Any", method="filter_score_part"
    )
    band = ComputedChoiceFilter(label="Band", choices=BANDS, empty_label="Any band")
    category = django_filters.ChoiceFilter(choices=RiskCategory.choices, empty_label="Any")
    # The programme's people, areas and workstreams as choices of ids, kept until the programme
    # next changes (`limit_choices`), rather than read and made into instances per request.
    owner = django_filters.ChoiceFilter(
        label="Owner", choices=[], empty_label="Anyone", error_messages=NOT_AMONG_THE_CHOICES
    )
    area = django_filters.ChoiceFilter(
        label="Area",
        choices=[],
        empty_label="All areas",
        method="filter_area",
        error_messages=NOT_AMONG_THE_CHOICES,
    )
    workstream = django_filters.ChoiceFilter(
        label="Workstream",
        choices=[],
        empty_label="All workstreams",
        error_messages=NOT_AMONG_THE_CHOICES,
    )
    proximity = django_filters.ChoiceFilter(
        label="Proximity",
        choices=[
            ("passed", "Date passed"),
            ("3", "Within 3 months"),
            ("6", "Within 6 months"),
            ("none", "No date"),
        ],
        empty_label="Any",
        method="filter_proximity",
    )
    review = django_filters.ChoiceFilter(
        label="Review",
        choices=[("overdue", "Review overdue"), ("due", "Review due in 30 days")],
        empty_label="Any",
        method="filter_review",
    )
    movement = ComputedChoiceFilter(
        label="Since last period",
        choices=[(m.value, m.label) for m in Movement],
        empty_label="Any",
    )
    q = SearchFilter(fields=["reference", "title"], label="Search by reference or title")

    class Meta:
        model = Risk
        fields = []

    def __init__(self, data, *, programme, queryset):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = RiskStatus.OPEN
        super().__init__(data, programme=programme, queryset=queryset)

    def limit_choices(self, programme) -> None:
        choices = keep(
            "risk-filter-choices",
            programme.pk,
            timezone.localdate(),
            lambda: _risk_filter_choices(programme),
            changes=known_changes(programme),
        )
        for name, named in choices.items():
            self.filters[name].extra["choices"] = named

    @property
    def uses_inherent_scores(self) -> bool:
        return self.value("scores") == INHERENT

    def filter_score_part(self, queryset, name, value):
        scores = INHERENT if self.form.cleaned_data.get("scores") == INHERENT else CURRENT
        return queryset.filter(**{f"{scores}_{name}": int(value)})

    def filter_area(self, queryset, name, value):
        return queryset.filter(Q(area=value) | Q(workstream__area=value))

    def filter_proximity(self, queryset, name, value):
        today = timezone.localdate()
        if value == "passed":
            return queryset.filter(proximity__lt=today)
        if value == "none":
            return queryset.filter(proximity__isnull=True)
        return queryset.filter(proximity__gte=today, proximity__lte=add_months(today, int(value)))

    def filter_review(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(review_date__lt=today)
        return queryset.filter(review_date__gte=today, review_date__lte=today + timedelta(days=30))

    def filter_rows(self, rows: list) -> list:
        band = self.value("band")
        movement = self.value("movement")
        if band:
            if self.uses_inherent_scores:
                rows = [row for row in rows if row.inherent_band == band]
            else:
                rows = [row for row in rows if row.band == band]
        if movement:
            rows = [row for row in rows if row.movement == movement]
        return rows


class IssueFilterSet(ProgrammeFilterSet):
    status = django_filters.ChoiceFilter(choices=IssueStatus.choices, empty_label="Any status")
    severity = django_filters.ChoiceFilter(choices=IssueSeverity.choices, empty_label="Any")
    priority = django_filters.ChoiceFilter(choices=IssuePriority.choices, empty_label="Any")
    owner = django_filters.ModelChoiceFilter(queryset=Person.objects.none(), empty_label="Anyone")
    workstream = django_filters.ModelChoiceFilter(
        queryset=Workstream.objects.none(), empty_label="All workstreams"
    )
    q = SearchFilter(fields=["reference", "title"], label="Search by reference or title")

    class Meta:
        model = Issue
        fields = []

    def limit_choices(self, programme) -> None:
        self.filters["owner"].queryset = (
            Person.objects.filter(issues__programme=programme).distinct().order_by("name")
        )
        self.filters["workstream"].queryset = Workstream.objects.filter(programme=programme)


class DecisionFilterSet(ProgrammeFilterSet):
    status = django_filters.ChoiceFilter(choices=DecisionStatus.choices, empty_label="Any status")
    forum = django_filters.ChoiceFilter(choices=[], empty_label="Any forum")
    q = SearchFilter(fields=["reference", "title"], label="Search by reference or title")

    class Meta:
        model = Decision
        fields = []

    def limit_choices(self, programme) -> None:
        forums = (
            Decision.objects.filter(programme=programme)
            .order_by("forum")
            .values_list("forum", flat=True)
            .distinct()
        )
        self.filters["forum"].extra["choices"] = [(forum, forum) for forum in forums]


class ActionFilterSet(ProgrammeFilterSet):
    """The action log. Without a status it shows the open actions, as the board reviews them."""

    status = django_filters.ChoiceFilter(choices=ActionStatus.choices, empty_label="Any status")
    owner = django_filters.ModelChoiceFilter(queryset=Person.objects.none(), empty_label="Anyone")
    overdue = django_filters.ChoiceFilter(
        label="Overdue",
        choices=[("yes", "Overdue"), ("no", "Not overdue")],
        empty_label="Any",
        method="filter_overdue",
    )
    meeting = django_filters.ModelChoiceFilter(
        label="Arising from",
        queryset=BoardMeeting.objects.none(),
        empty_label="Any meeting, or none",
    )
    q = SearchFilter(fields=["description"], label="Search the actions")

    class Meta:
        model = ActionItem
        fields = []

    def __init__(self, data, *, programme, queryset):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = ActionStatus.OPEN
        super().__init__(data, programme=programme, queryset=queryset)

    def limit_choices(self, programme) -> None:
        self.filters["owner"].queryset = (
            Person.objects.filter(action_items__programme=programme).distinct().order_by("name")
        )
        self.filters["meeting"].queryset = BoardMeeting.objects.filter(
            programme=programme
        ).order_by("-held_on", "-pk")

    def filter_overdue(self, queryset, name, value):
        """Overdue: open and due before today (risks.rules.action_is_overdue, said in SQL)."""
        overdue = Q(status=ActionStatus.OPEN, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value == "yes" else queryset.exclude(overdue)


# ----- Lessons, stakeholders and the communications plan (issue 16) -----


class LessonFilterSet(ProgrammeFilterSet):
    """The lessons log: by category, workstream (or the programme as a whole) and words."""

    category = django_filters.ChoiceFilter(choices=LessonCategory.choices, empty_label="Any")
    workstream = django_filters.ModelChoiceFilter(
        queryset=Workstream.objects.none(), empty_label="Any, or the programme as a whole"
    )
    q = SearchFilter(
        fields=["what_happened", "what_we_learned", "do_differently"], label="Search the lessons"
    )

    class Meta:
        model = Lesson
        fields = []

    def limit_choices(self, programme) -> None:
        self.filters["workstream"].queryset = Workstream.objects.filter(
            programme=programme
        ).order_by("sort_key")


class StakeholderFilterSet(ProgrammeFilterSet):
    """Stakeholders: by where they sit on the interest and influence grid, and by name."""

    quadrant = ComputedChoiceFilter(
        label="Grid", choices=Quadrant.choices, empty_label="Anywhere on the grid"
    )
    q = SearchFilter(fields=["name", "code", "notes"], label="Search the stakeholders")

    class Meta:
        model = Stakeholder
        fields = []

    def filter_rows(self, rows: list) -> list:
        quadrant = self.value("quadrant")
        return [row for row in rows if row.quadrant == quadrant] if quadrant else rows


class CommunicationFilterSet(ProgrammeFilterSet):
    """The communications plan: by owner, audience, frequency, whether it is due, and words."""

    owner = django_filters.ModelChoiceFilter(queryset=Person.objects.none(), empty_label="Anyone")
    audience = django_filters.ModelChoiceFilter(
        queryset=Stakeholder.objects.none(), empty_label="Any stakeholder", distinct=True
    )
    frequency = django_filters.ChoiceFilter(
        choices=CommunicationFrequency.choices, empty_label="Any"
    )
    due = django_filters.ChoiceFilter(
        label="Due",
        choices=[("due", "Due today or before"), ("later", "Due later, or as needed")],
        empty_label="Any",
        method="filter_due",
    )
    q = SearchFilter(fields=["message", "channel"], label="Search the plan")

    class Meta:
        model = CommunicationItem
        fields = []

    def limit_choices(self, programme) -> None:
        self.filters["owner"].queryset = (
            Person.objects.filter(communications__programme=programme).distinct().order_by("name")
        )
        self.filters["audience"].queryset = Stakeholder.objects.filter(
            programme=programme
        ).order_by("name")

    def filter_due(self, queryset, name, value):
        due = Q(next_on__lte=timezone.localdate())
        return queryset.filter(due) if value == "due" else queryset.exclude(due)
