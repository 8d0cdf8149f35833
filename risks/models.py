"""The RAID log: risks with their mitigation actions, issues with their actions, decisions,
and the board meetings that take decisions, with their agenda, attendees, papers and minutes,
and the programme's action log (DOMAIN.md sections 1, 3 and 7)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from programmes.choices import DatePrecision, Rag
from programmes.dates import format_plan_date
from programmes.models import Person, Programme, ProgrammeArea, Referenced, Versioned
from programmes.querysets import ScopedQuerySet
from risks.rules import action_is_overdue, risk_score, score_if_rated
from workstreams.models import Milestone, Workstream

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


def _score_in_range(prefix: str, *, required: bool) -> Q:
    likelihood, impact = f"{prefix}_likelihood", f"{prefix}_impact"
    in_range = Q(**{f"{likelihood}__gte": 1, f"{likelihood}__lte": 5}) & Q(
        **{f"{impact}__gte": 1, f"{impact}__lte": 5}
    )
    if required:
        return in_range
    # Spelled out both ways: a check on NULL passes in SQL, so half-filled pairs need this.
    both_present = Q(**{f"{likelihood}__isnull": False, f"{impact}__isnull": False})
    both_missing = Q(**{f"{likelihood}__isnull": True, f"{impact}__isnull": True})
    return (both_present & in_range) | both_missing


class RiskCategory(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"
    FINANCIAL = "financial", "Financial"
    PARTNERSHIP = "partnership", "Partnership"
    WORKFORCE = "workforce", "Workforce"
    REPUTATIONAL = "reputational", "Reputational"
    OPERATIONAL = "operational", "Operational"
    LEGAL = "legal", "Legal and regulatory"
    TECHNOLOGY = "technology", "Technology"


class RiskKind(models.TextChoices):
    THREAT = "threat", "Threat"
    OPPORTUNITY = "opportunity", "Opportunity"


class RiskResponse(models.TextChoices):
    AVOID = "avoid", "Avoid"
    REDUCE = "reduce", "Reduce"
    FALLBACK = "fallback", "Fallback"
    TRANSFER = "transfer", "Transfer"
    SHARE = "share", "Share"
    ACCEPT = "accept", "Accept"
    EXPLOIT = "exploit", "Exploit"
    ENHANCE = "enhance", "Enhance"
    REJECT = "reject", "Reject"


THREAT_RESPONSES = (
    RiskResponse.AVOID,
    RiskResponse.REDUCE,
    RiskResponse.FALLBACK,
    RiskResponse.TRANSFER,
    RiskResponse.SHARE,
    RiskResponse.ACCEPT,
)
OPPORTUNITY_RESPONSES = (
    RiskResponse.EXPLOIT,
    RiskResponse.ENHANCE,
    RiskResponse.SHARE,
    RiskResponse.REJECT,
)


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    REALISED = "realised", "Realised"


class RiskQuerySet(ScopedQuerySet):
    def with_scores(self) -> RiskQuerySet:
        return self.annotate(
            current_score=F("current_likelihood") * F("current_impact"),
            inherent_score=F("inherent_likelihood") * F("inherent_impact"),
        )

    def open(self) -> RiskQuerySet:
        return self.filter(status=RiskStatus.OPEN)

    def in_band(self, band: str, *, scores: str = "current") -> RiskQuerySet:
        """Risks whose current (or inherent) score is in a band by their programme's
        thresholds: `Programme.risk_band` said in SQL, for filters that narrow the query."""
        queryset = self.alias(band_score=F(f"{scores}_likelihood") * F(f"{scores}_impact"))
        amber_from, red_from = F("programme__risk_amber_from"), F("programme__risk_red_from")
        if band == Rag.RED:
            return queryset.filter(band_score__gte=red_from)
        if band == Rag.AMBER:
            return queryset.filter(band_score__gte=amber_from, band_score__lt=red_from)
        return queryset.filter(band_score__lt=amber_from)


class Risk(Referenced, Versioned):
    """A threat or opportunity at programme, area or workstream scope, scored likelihood x
    impact before mitigation (inherent), now (current) and as aimed for (target)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="risks")
    area = models.ForeignKey(
        ProgrammeArea, null=True, blank=True, on_delete=models.CASCADE, related_name="risks"
    )
    workstream = models.ForeignKey(
        Workstream, null=True, blank=True, on_delete=models.CASCADE, related_name="risks"
    )
    title = models.CharField(max_length=300)
    cause = models.TextField(blank=True)
    event = models.TextField(help_text="What may happen")
    effect = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=RiskKind.choices, default=RiskKind.THREAT)
    category = models.CharField(max_length=20, choices=RiskCategory.choices)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="risks"
    )
    raised_on = models.DateField()
    inherent_likelihood = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=ONE_TO_FIVE
    )
    inherent_impact = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=ONE_TO_FIVE
    )
    current_likelihood = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    current_impact = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    target_likelihood = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=ONE_TO_FIVE
    )
    target_impact = models.PositiveSmallIntegerField(null=True, blank=True, validators=ONE_TO_FIVE)
    proximity = models.DateField(null=True, blank=True, help_text="By when it may happen")
    response = models.CharField(max_length=10, choices=RiskResponse.choices, blank=True)
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    closing_reason = models.TextField(blank=True)
    escalated = models.BooleanField(default=False, help_text="Escalated to the board")
    history = HistoricalRecords()

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                name="risk_reference_unique_in_programme",
                violation_error_message="This programme already has a risk with this reference.",
            ),
            models.CheckConstraint(
                condition=_score_in_range("current", required=True),
                name="risk_current_score_in_range",
                violation_error_message="Likelihood and impact are each from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=_score_in_range("inherent", required=False),
                name="risk_inherent_score_in_range",
                violation_error_message="Inherent likelihood and impact: both from 1 to 5, or neither.",
            ),
            models.CheckConstraint(
                condition=_score_in_range("target", required=False),
                name="risk_target_score_in_range",
                violation_error_message="Target likelihood and impact: both from 1 to 5, or neither.",
            ),
            models.CheckConstraint(
                condition=~Q(status=RiskStatus.CLOSED) | ~Q(closing_reason=""),
                name="closed_risk_has_reason",
                violation_error_message="Say why the risk is closed.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("risk_detail", args=[self.pk])

    @property
    def current_score(self) -> int:
        return risk_score(self.current_likelihood, self.current_impact)

    @property
    def inherent_score(self) -> int | None:
        return score_if_rated(self.inherent_likelihood, self.inherent_impact)

    @property
    def target_score(self) -> int | None:
        return score_if_rated(self.target_likelihood, self.target_impact)

    def band_of(self, score: int | None, programme: Programme) -> Rag | None:
        """The band of one of its scores by the programme's thresholds (None: not scored)."""
        return None if score is None else programme.risk_band(score)

    @property
    def current_band(self) -> Rag:
        return self.band_of(self.current_score, self.programme)

    @property
    def held_in(self) -> ProgrammeArea | None:
        """The area it is held in, whose tolerances apply: its own, else its workstream's."""
        if self.area_id:
            return self.area
        return self.workstream.area if self.workstream_id else None

    def goes_to_board_in(self, programme: Programme, area: ProgrammeArea | None) -> bool:
        """Whether its current score is at or above the risk tolerance where it is held
        (`held_in`): that area's, else the programme's (DOMAIN.md section 3). The programme and
        the area are passed so that a risk as it stood at a moment is judged by the
        tolerances of then."""
        return programme.tolerances_for(area).goes_to_board(self.current_score)

    @property
    def goes_to_board(self) -> bool:
        return self.goes_to_board_in(self.programme, self.held_in)

    @property
    def scope_label(self) -> str:
        if self.workstream_id:
            return f"Workstream {self.workstream.reference}"
        if self.area_id:
            return f"Area {self.area.reference}"
        return "Programme"


class MitigationAction(models.Model):
    """Something someone will do by a date to reduce (or exploit) a risk."""

    programme_path = "risk__programme"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="risk_actions")
    due_date = models.DateField()
    done = models.BooleanField(default=False)
    completed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["risk", "due_date"]

    def __str__(self) -> str:
        return self.description[:80]


class IssueSeverity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class IssuePriority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class Issue(Referenced, Versioned):
    """Something that has happened and must be managed; a realised risk becomes one."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="issues")
    area = models.ForeignKey(
        ProgrammeArea, null=True, blank=True, on_delete=models.CASCADE, related_name="issues"
    )
    workstream = models.ForeignKey(
        Workstream, null=True, blank=True, on_delete=models.CASCADE, related_name="issues"
    )
    title = models.CharField(max_length=300)
    description = models.TextField()
    severity = models.CharField(max_length=10, choices=IssueSeverity.choices)
    priority = models.CharField(
        max_length=10, choices=IssuePriority.choices, default=IssuePriority.MEDIUM
    )
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    raised_on = models.DateField()
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    resolution = models.TextField(blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    risk = models.OneToOneField(
        Risk,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issue",
        help_text="The risk this issue realised",
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                name="issue_reference_unique_in_programme",
                violation_error_message="This programme already has an issue with this reference.",
            ),
            models.CheckConstraint(
                condition=Q(status=IssueStatus.OPEN) | Q(resolved_on__isnull=False),
                name="resolved_issue_has_date",
                violation_error_message="A resolved issue needs the date it was resolved.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("issue_detail", args=[self.pk])

    @property
    def scope_label(self) -> str:
        if self.workstream_id:
            return f"Workstream {self.workstream.reference}"
        if self.area_id:
            return f"Area {self.area.reference}"
        return "Programme"


class IssueAction(models.Model):
    """An action to resolve an issue."""

    programme_path = "issue__programme"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="issue_actions")
    due_date = models.DateField()
    done = models.BooleanField(default=False)
    completed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["issue", "due_date"]

    def __str__(self) -> str:
        return self.description[:80]


class BoardMeeting(Versioned):
    """A meeting of the programme board (or a committee) with the decisions on its agenda."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="board_meetings"
    )
    held_on = models.DateField()
    title = models.CharField(max_length=200, default="Programme Board")
    chair = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="chaired_meetings"
    )
    location = models.CharField(max_length=200, blank=True)
    minutes = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "held_on"]

    def __str__(self) -> str:
        return f"{self.title}, {self.held_on:%-d %b %Y}"


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"


class Attendance(models.Model):
    """One person of the programme on a meeting's list: invited, there, or sending apologies."""

    programme_path = "meeting__programme"

    meeting = models.ForeignKey(BoardMeeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(
        max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.INVITED
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="attendance_once_per_meeting",
                violation_error_message="This person is already on the meeting's list.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()}"

    @property
    def programme_id(self) -> int:
        return self.meeting.programme_id


class PaperKind(models.TextChoices):
    PDF = "pdf", "PDF"
    WORD = "word", "Word"
    EXCEL = "excel", "Excel"
    POWERPOINT = "powerpoint", "PowerPoint"


class MeetingPaper(models.Model):
    """A document uploaded for a meeting (a PDF or an Office file), kept in the storage and
    downloaded only through a page that checks who asks (DOMAIN.md section 7: papers)."""

    programme_path = "meeting__programme"

    meeting = models.ForeignKey(BoardMeeting, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="meeting-papers/%Y/%m/", max_length=300)
    file_name = models.CharField(max_length=255, help_text="The name it was uploaded with")
    kind = models.CharField(max_length=12, choices=PaperKind.choices)
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meeting_paper_download", args=[self.pk])

    @property
    def programme_id(self) -> int:
        return self.meeting.programme_id


class AgendaItem(Versioned):
    """One item of a meeting's agenda, in order: who presents it, its paper, the decision it
    asks of the board if any, and, once the meeting is held, its minutes."""

    programme_path = "meeting__programme"

    meeting = models.ForeignKey(BoardMeeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    presenter = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )
    paper = models.ForeignKey(
        MeetingPaper, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )
    decision_sought = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def programme_id(self) -> int:
        return self.meeting.programme_id


class DecisionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    MADE = "made", "Made"
    DEFERRED = "deferred", "Deferred"


class Decision(Referenced, Versioned):
    """A decision the board or a committee must take, by when, and what it decided."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="decisions")
    workstream = models.ForeignKey(
        Workstream, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="What the board is asked to decide")
    forum = models.CharField(max_length=100, default="Programme Board")
    needed_by = models.DateField(null=True, blank=True)
    needed_by_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    outcome = models.TextField(blank=True)
    made_on = models.DateField(null=True, blank=True)
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    meeting = models.ForeignKey(
        BoardMeeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        help_text="The item of its meeting's agenda under which it was taken",
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                name="decision_reference_unique_in_programme",
                violation_error_message="This programme already has a decision with this reference.",
            ),
            models.CheckConstraint(
                condition=~Q(status=DecisionStatus.MADE) | Q(made_on__isnull=False),
                name="made_decision_has_date",
                violation_error_message="A decision that is made needs the date it was made.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def needed_by_label(self) -> str:
        return format_plan_date(self.needed_by, self.needed_by_precision)


# ----- The action log (DOMAIN.md section 7) -----


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionItem(Versioned):
    """An action on the programme's action log: arising from a board meeting (and one of its
    agenda items) or standing alone, with its owner, due date and status. Numbered in the
    programme's order ("A12"), as the minutes refer to it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="action_items")
    number = models.PositiveIntegerField(editable=False)
    meeting = models.ForeignKey(
        BoardMeeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = models.TextField()
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="action_items")
    due_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    closed_on = models.DateField(
        null=True, blank=True, help_text="The day it was marked done or dropped"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="action_number_unique_in_programme",
                violation_error_message="This programme already has an action with this number.",
            ),
            models.CheckConstraint(
                condition=Q(status=ActionStatus.OPEN) | Q(closed_on__isnull=False),
                name="closed_action_has_date",
                violation_error_message="An action done or dropped needs the day it was closed.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.description[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("action_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"A{self.number}"

    def is_overdue(self, today) -> bool:
        return action_is_overdue(self.status, self.due_date, today)


class ActionNote(models.Model):
    """A dated update on an action, by its owner or the programme office. Notes are added,
    never changed; the action's own history keeps what changed."""

    programme_path = "action__programme"

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["action", "written_at", "pk"]

    def __str__(self) -> str:
        return self.body[:80]


# ----- Lessons, closure, stakeholders and communications (issue 16, parts 4 and 5) -----


class LessonCategory(models.TextChoices):
    GOVERNANCE = "governance", "Governance and decisions"
    PLANNING = "planning", "Planning and scheduling"
    DELIVERY = "delivery", "Delivery"
    MONEY = "money", "Money and resources"
    PEOPLE = "people", "People and skills"
    ENGAGEMENT = "engagement", "Stakeholders and communication"
    SUPPLIERS = "suppliers", "Suppliers and partners"
    SYSTEMS = "systems", "Systems and data"
    OTHER = "other", "Other"


class Lesson(Versioned):
    """A lesson on the programme's lessons log: what happened, what was learned and what to do
    differently; for the programme, or one of its workstreams. Open throughout the programme's
    life and after it closes (programmes.permissions.OPEN_WHEN_CLOSED). Numbered in the
    programme's order ("L4")."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="lessons")
    number = models.PositiveIntegerField(editable=False)
    workstream = models.ForeignKey(
        Workstream, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons"
    )
    what_happened = models.TextField()
    what_we_learned = models.TextField()
    do_differently = models.TextField()
    category = models.CharField(max_length=20, choices=LessonCategory.choices)
    raised_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons"
    )
    raised_on = models.DateField()
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="lesson_number_unique_in_programme",
                violation_error_message="This programme already has a lesson with this number.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.what_we_learned[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("lesson_edit", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"L{self.number}"


class Closure(models.Model):
    """The closing of a programme: when, by whom, what it achieved and who takes on what is
    still open. The programme's status says it is closed; this keeps the account of it."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="closure")
    closed_on = models.DateField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField(help_text="Why it closes, and what it achieved")
    handed_on_to = models.TextField(
        blank=True, help_text="Who takes on the open risks, issues and benefits, and how"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme"]

    def __str__(self) -> str:
        return f"Closure of {self.programme}"


class Stakeholder(Versioned):
    """A person or group with a stake in the programme ("ACM Managers", "Health Partners"),
    with their interest in it and influence over it, each 1 (low) to 5 (high)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20, blank=True, help_text='A short name, such as "ACM"')
    interest = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    influence = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="stakeholder_name_unique_in_programme",
                violation_error_message="This programme already has a stakeholder of this name.",
            ),
            models.CheckConstraint(
                condition=Q(interest__gte=1, interest__lte=5, influence__gte=1, influence__lte=5),
                name="stakeholder_interest_influence_1_to_5",
                violation_error_message="Interest and influence are each from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name

    def get_absolute_url(self) -> str:
        return reverse("stakeholder_edit", args=[self.pk])


class CommunicationFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every 2 weeks"
    MONTHLY = "monthly", "Monthly"
    TWO_MONTHLY = "two_monthly", "Every 2 months"
    QUARTERLY = "quarterly", "Quarterly"
    SIX_MONTHLY = "six_monthly", "Every 6 months"
    YEARLY = "yearly", "Yearly"
    AS_NEEDED = "as_needed", "As needed (end of stage, events)"


class CommunicationItem(Versioned):
    """A line of the communications plan: a message to an audience of stakeholders, by a
    channel, at a frequency, owned by a person, next due on a date (its owner is reminded by
    email that day: risks.tasks)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="communication_items"
    )
    audience = models.ManyToManyField(Stakeholder, related_name="communications")
    message = models.TextField()
    channel = models.CharField(max_length=200, help_text='For example "Highlight report"')
    frequency = models.CharField(max_length=20, choices=CommunicationFrequency.choices)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="communications")
    next_on = models.DateField(
        null=True, blank=True, help_text="Blank while it is sent only as needed"
    )
    history = HistoricalRecords(m2m_fields=[audience])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "next_on", "pk"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.message[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("communication_edit", args=[self.pk])


class CommunicationSent(models.Model):
    """What was sent of a communications plan's line: when, a note, and who recorded it.
    Added, never changed."""

    programme_path = "item__programme"

    item = models.ForeignKey(CommunicationItem, on_delete=models.CASCADE, related_name="sent")
    sent_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item", "-sent_on", "-pk"]

    def __str__(self) -> str:
        return f"Sent on {self.sent_on}"
