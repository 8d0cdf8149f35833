"""The top of the plan: organisations, programmes, programme areas, people and their roles,
objectives, funding, reporting periods and calendar links (DOMAIN.md sections 1 and 2)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from programmes.choices import (
    AREA_ROLES,
    ORGANISATION_ROLES,
    PROGRAMME_ROLES,
    WORKSTREAM_ROLES,
    MembershipSource,
    ObjectiveLevel,
    PeriodStatus,
    ProgrammeStatus,
    Rag,
    RagScale,
    Role,
)
from programmes.dates import FinancialYear, month_end, month_label
from programmes.querysets import (
    MembershipQuerySet,
    ProgrammeQuerySet,
    ScopedQuerySet,
)
from programmes.references import reference_sort_key
from programmes.rules import (
    DEFAULT_AMBER_FROM,
    DEFAULT_RED_FROM,
    Tolerances,
    ratings_on_scale,
    risk_band,
)


@dataclass(frozen=True)
class Scope:
    """Where an object sits in the plan: its programme, and its area and workstream if any
    (what `programmes.permissions` decides by)."""

    programme_id: int
    area_id: int | None = None
    workstream_id: int | None = None


class Referenced(models.Model):
    """A model with the users' own reference, sorted naturally (1.2 before 1.10)."""

    reference = models.CharField(max_length=50)
    sort_key = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.sort_key = reference_sort_key(self.reference)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "reference" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_key"}
        super().save(*args, **kwargs)


class StaleEdit(Exception):
    """Someone else saved this object after it was read: saving now would overwrite them."""

    def __init__(self, instance, stored_version: int):
        super().__init__(f"{type(instance).__name__} {instance.pk} changed since it was read")
        self.instance = instance
        self.stored_version = stored_version


class Versioned(models.Model):
    """Optimistic concurrency through save(): every save raises the version, and a save of a
    copy read before someone else's save is refused with StaleEdit, so nobody overwrites a
    change they have not seen and the history keeps every change (DOMAIN.md section 2)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            stored = (
                type(self)
                ._base_manager.select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored is not None and stored != self.version:
                raise StaleEdit(self, stored)
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
            try:
                return super().save(*args, **kwargs)
            except Exception:
                self.version -= 1
                raise


class Organisation(models.Model):
    """A council or NHS partner that runs programmes."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    single_sign_on = models.BooleanField(
        "Offer single sign-on",
        default=True,
        help_text=(
            'Offer "Sign in with" this organisation\'s identity providers on the sign-in page, '
            "as configured for the site (docs/sign-in.md). Untick to turn them off."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OutcomeCategory(models.Model):
    """A configurable outcome for service users; by default the White Paper's seven plus
    "capacity to improve services" (DOMAIN.md section 1)."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "outcome categories"

    def __str__(self) -> str:
        return self.name


class Person(Versioned):
    """Someone named in a plan: an officer, a partner organisation or a team. Not every person
    signs in; `user` links the ones who do."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    employer = models.CharField(
        max_length=200, blank=True, help_text="The partner organisation, if not the council"
    )
    email = models.EmailField(blank=True)
    is_team = models.BooleanField(default=False, help_text="A team or group, such as SMT")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="person_name_unique_in_organisation",
                violation_error_message="This organisation already has a person of that name.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        """ "Alex Garnett, Head of Business Development" or "Howard Tomlin (Capita)"."""
        text = self.name
        if self.job_title:
            text += f", {self.job_title}"
        if self.employer:
            text += f" ({self.employer})"
        return text


class Objective(Referenced, Versioned):
    """A step of the golden thread: corporate -> directorate -> service objective."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="objectives"
    )
    level = models.CharField(max_length=20, choices=ObjectiveLevel.choices)
    title = models.TextField()
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                name="objective_reference_unique_in_organisation",
                violation_error_message="This reference is already used by another objective.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title[:80]}"

    def thread(self) -> list[Objective]:
        """This objective and those above it, top first."""
        chain, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class Programme(Referenced, Versioned):
    """A transformation programme, its board, tolerances and RAG conventions."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField(
        max_length=300, blank=True, help_text="The document the plan comes from"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ProgrammeStatus.choices, default=ProgrammeStatus.ACTIVE
    )
    rag_scale = models.CharField(
        max_length=10, choices=RagScale.choices, default=RagScale.THREE_POINT
    )
    board_name = models.CharField(max_length=200, default="Programme Board")
    senior_responsible_owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overall_rag = models.CharField(
        max_length=20,
        choices=Rag.choices,
        blank=True,
        help_text="The board's own overall rating, if it sets one",
    )
    overall_commentary = models.TextField(blank=True)
    time_tolerance_days = models.PositiveIntegerField(
        default=30, help_text="Days a milestone may slip beyond its baseline"
    )
    cost_tolerance_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(10)
    )
    benefit_tolerance_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(5),
        help_text="How far a measure may miss its target, as a percentage of the target",
    )
    risk_tolerance_score = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text="Risks scoring this or more go to the board",
    )
    risk_amber_from = models.PositiveSmallIntegerField(
        default=DEFAULT_AMBER_FROM, validators=[MinValueValidator(2), MaxValueValidator(24)]
    )
    risk_red_from = models.PositiveSmallIntegerField(
        default=DEFAULT_RED_FROM, validators=[MinValueValidator(3), MaxValueValidator(25)]
    )
    reminder_days = models.PositiveSmallIntegerField(
        default=5,
        validators=[MaxValueValidator(28)],
        help_text="Days before the cut-off that leads are reminded to submit their update",
    )
    report_working_day = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(15)],
        help_text="The working day of the month on which last month's reports are made",
    )
    auto_close_periods = models.BooleanField(
        default=True, help_text="Close each reporting period at the end of its month"
    )
    approve_reports_after_working_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(20)],
        help_text="Approve the monthly reports for the board automatically this many working "
        "days after they were made; empty: only the programme office approves them",
    )
    # Money and schedule as the government's major projects data asks (issue 16): the
    # whole-life cost the programme was approved at and what it is now forecast to cost, with a
    # narrative when they differ (`workstreams.rules.whole_life_cost_needs_narrative`).
    whole_life_cost_baseline = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    whole_life_cost_forecast = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    whole_life_cost_narrative = models.TextField(blank=True)
    schedule_narrative = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                name="programme_reference_unique_in_organisation",
                violation_error_message="This organisation already has a programme with this reference.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="programme_ends_after_it_starts",
                violation_error_message="A programme cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(risk_amber_from__gte=2)
                & Q(risk_amber_from__lt=models.F("risk_red_from"))
                & Q(risk_red_from__lte=25),
                name="programme_risk_bands_in_order",
                violation_error_message="Amber must start above 1 and below Red; Red at 25 or below.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programme_detail", args=[self.pk])

    @property
    def tolerances(self) -> Tolerances:
        """The programme's own tolerances (DOMAIN.md section 3, "Tolerances")."""
        return Tolerances(
            time_days=self.time_tolerance_days,
            cost_percent=self.cost_tolerance_percent,
            benefit_percent=self.benefit_tolerance_percent,
            risk_score=self.risk_tolerance_score,
        )

    def tolerances_for(self, area: ProgrammeArea | None) -> Tolerances:
        """The tolerances that apply in an area (its overrides of the programme's), or the
        programme's where there is no area. Every rating resolves its tolerance here."""
        return self.tolerances if area is None else area.tolerances_within(self)

    def risk_band(self, score: int) -> Rag:
        """The band of a risk score by this programme's thresholds (Amber from, Red from)."""
        return risk_band(score, amber_from=self.risk_amber_from, red_from=self.risk_red_from)

    @property
    def ratings(self) -> tuple[Rag, ...]:
        """The ratings this programme gives, worst first: its RAG scale (three or five point)."""
        return ratings_on_scale(self.rag_scale)

    @property
    def rating_choices(self) -> list[tuple[str, str]]:
        """The programme's ratings as form and API choices, worst first."""
        return [(rag.value, rag.label) for rag in self.ratings]

    @property
    def uses_five_point_scale(self) -> bool:
        return self.rag_scale == RagScale.FIVE_POINT


class ProgrammeArea(Referenced, Versioned):
    """A programme area ("1 Continuous Improvement in Community Services") with its sponsor,
    project manager, key documents, and optional tolerances of its own. The programme office
    orders areas and closes one whose work is done (its pages then only show)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=200)
    aim = models.TextField(blank=True)
    sponsor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="sponsored_areas"
    )
    project_manager = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_areas"
    )
    interdependencies = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order within the programme")
    closed_on = models.DateField(
        null=True, blank=True, help_text="When the area closed; a closed area only shows"
    )
    time_tolerance_days = models.PositiveIntegerField(null=True, blank=True)
    cost_tolerance_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    benefit_tolerance_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    risk_tolerance_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(25)]
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "position", "sort_key"]
        verbose_name = "programme area"
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                name="area_reference_unique_in_programme",
                violation_error_message="This programme already has an area with this reference.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("area_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def key_documents_text(self) -> str:
        """The key documents' titles as a plan writes them ("A; B"): prefetch `documents`."""
        return "; ".join(document.title for document in self.documents.all())

    def tolerances_within(self, programme: Programme) -> Tolerances:
        """The programme's tolerances with this area's overrides (DOMAIN.md section 3). The
        programme is passed in, not read, so that a programme as it stood at a moment (and a
        page of many areas) needs no further query; call it through
        `Programme.tolerances_for(area)`."""
        return programme.tolerances.overridden_by(
            time_days=self.time_tolerance_days,
            cost_percent=self.cost_tolerance_percent,
            benefit_percent=self.benefit_tolerance_percent,
            risk_score=self.risk_tolerance_score,
        )


class KeyDocument(models.Model):
    """A document a programme area keeps to hand ("Carers Strategy 2008"), with a link to it
    where it is published."""

    area = models.ForeignKey(ProgrammeArea, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500, blank=True, help_text="Where the document is")
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    programme_path = "area__programme"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["area", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class OrganisationRole(models.Model):
    """A person's role across an organisation: the portfolio office (the council's corporate
    PMO) sees every programme of its organisation, creates programmes and appoints their
    programme office (issue 11, adding to DOMAIN.md section 2). Site administrators give the
    first one."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="organisation_roles")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="organisation_roles"
    )
    role = models.CharField(
        max_length=20,
        choices=[(role.value, role.label) for role in ORGANISATION_ROLES],
        default=Role.PORTFOLIO_OFFICE,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "role"],
                name="organisation_role_unique",
                violation_error_message="This person already holds this role here.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} - {self.get_role_display()} - {self.organisation}"

    def clean(self):
        person = self.person if self.person_id else None
        if person and self.organisation_id and person.organisation_id != self.organisation_id:
            raise ValidationError(
                {"person": "Choose a person of this organisation: add them under People first"}
            )


class Invitation(models.Model):
    """An invitation to sign in, sent by the programme office to a person of the plan: an
    email with a link to set a password, valid for a week and once (the link's token is made
    from the account's state, so setting the password spends it)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    programme = models.ForeignKey("Programme", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.person} ({self.email})"


class Membership(models.Model):
    """A person's role in a programme, an area or a workstream (DOMAIN.md section 2).

    Memberships are the only source of access: `programmes.permissions` reads nothing else.
    Those with source "plan" mirror the plan's sponsors, project managers and leads and are
    kept in step with it by `programmes.services.sync_plan_memberships`.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    area = models.ForeignKey(
        ProgrammeArea, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    workstream = models.ForeignKey(
        "workstreams.Workstream",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    source = models.CharField(
        max_length=10, choices=MembershipSource.choices, default=MembershipSource.GRANTED
    )
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "role", "person__name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=PROGRAMME_ROLES, area__isnull=True, workstream__isnull=True)
                    | Q(role__in=AREA_ROLES, area__isnull=False, workstream__isnull=True)
                    | Q(role__in=WORKSTREAM_ROLES, area__isnull=True, workstream__isnull=False)
                ),
                name="membership_scope_matches_role",
                violation_error_message=(
                    "Board members and the programme office belong to a programme, sponsors "
                    "and project managers to an area, leads to a workstream."
                ),
            ),
            models.UniqueConstraint(
                fields=["person", "role", "programme"],
                condition=Q(area__isnull=True, workstream__isnull=True),
                name="membership_unique_in_programme",
            ),
            models.UniqueConstraint(
                fields=["person", "role", "area"],
                condition=Q(area__isnull=False, workstream__isnull=True),
                name="membership_unique_in_area",
            ),
            models.UniqueConstraint(
                fields=["person", "role", "workstream"],
                condition=Q(workstream__isnull=False),
                name="membership_unique_in_workstream",
            ),
        ]

    def __str__(self) -> str:
        scope = self.workstream or self.area or self.programme
        return f"{self.person} - {self.get_role_display()} - {scope}"


class Funding(models.Model):
    """Money available to a programme in a financial year from one source (a grant)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(max_length=200)
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2008 for 2008/09"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "financial_year", "source"]
        verbose_name_plural = "funding"
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "source", "financial_year"],
                name="funding_unique_per_source_and_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {FinancialYear(self.financial_year)}"


class ReportingPeriod(models.Model):
    """One month of a programme's reporting cycle (DOMAIN.md section 4). Closing it freezes
    what reports for the period show."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="reporting_periods"
    )
    month = models.DateField(help_text="The first day of the month")
    cut_off = models.DateField(help_text="Status updates are due by this day")
    status = models.CharField(
        max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "month"],
                name="one_period_per_programme_month",
                violation_error_message="This programme already has a period for that month.",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="period_month_is_first_day",
                violation_error_message="A reporting period starts on the first of its month.",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.month.strftime("%B %Y")

    @property
    def short_label(self) -> str:
        return month_label(self.month)

    @property
    def ends_on(self) -> date:
        return month_end(self.month)

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


class CommentKind(models.TextChoices):
    COMMENT = "comment", "Comment"
    SENT_BACK = "sent_back", "Sent back"


COMMENT_LIMIT = 4000


class Comment(models.Model):
    """A comment by anyone who can see an item: a workstream, a milestone, a risk, an issue, a
    report, or one exception of a period (the period, with the exception's key as `topic`,
    such as "milestone:123"). People named with an @ are `mentioned`, and emailed a link if
    they may see the item (DOMAIN.md section 7, "Comments"; programmes/comments.py). A
    comment is added, never edited: it is its own record. "Sent back" comments are those an
    approver wrote when sending a narrative or a report back instead of approving it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="comments")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    topic = models.CharField(
        max_length=100,
        blank=True,
        help_text='What in the item the comment is about: an exception\'s key ("milestone:123")',
    )
    kind = models.CharField(max_length=20, choices=CommentKind.choices, default=CommentKind.COMMENT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=COMMENT_LIMIT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    mentioned = models.ManyToManyField(Person, blank=True, related_name="mentioned_in")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "topic"], name="comment_on_item"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(body=""),
                name="comment_has_words",
                violation_error_message="A comment needs some words.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CommentKind.values),
                name="comment_kind_known",
                violation_error_message="A comment is a comment or a note sending something back.",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.content_type_id}:{self.object_id} {self.topic}".strip()

    @property
    def is_sent_back(self) -> bool:
        return self.kind == CommentKind.SENT_BACK

    @property
    def author_name(self) -> str:
        """Who wrote it, by name alone (select_related "author__person")."""
        if self.author is None:
            return "Someone since removed"
        person = getattr(self.author, "person", None)
        return person.name if person is not None else self.author.get_username()


class Notice(models.Model):
    """A record that a notice (a reminder, a digest) was sent, so that sending is done once
    however often the job runs: the job claims the row before it sends."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="notice_sent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's secret calendar link: a programme's milestones, key decisions and board
    meetings, or (with no programme) the user's own milestones. Calendar apps fetch it
    without signing in, so the token is the only key; resetting it gives a new link and the
    old one stops working. What the feed shows follows the user's access when it is fetched
    (DOMAIN.md section 2)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    programme = models.ForeignKey(
        Programme,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        help_text="Blank for the user's own milestones across their programmes",
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now_add=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "programme"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme"],
                condition=Q(programme__isnull=False),
                name="one_calendar_feed_per_user_and_programme",
                violation_error_message="This user already has a calendar link for this programme.",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(programme__isnull=True),
                name="one_personal_calendar_feed_per_user",
                violation_error_message="This user already has a calendar link for their milestones.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.programme or 'my milestones'}"

    def get_absolute_url(self) -> str:
        return reverse("calendar_feed", args=[self.token])

    @property
    def is_personal(self) -> bool:
        return self.programme_id is None


class UserSession(models.Model):
    """A signed-in session of a user (issue 12, "Sessions"): recorded at each sign-in, so that
    "sign out everywhere" and switching a user off end their sessions through the session
    engine, whichever it is (database or cache). The row goes with the session."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_with = models.CharField(
        max_length=60, default="password", help_text="password, or the single sign-on provider"
    )
    signed_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_in_at"]

    def __str__(self) -> str:
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"


def random_count() -> int:
    return secrets.randbelow(2**53)


class ProgrammeChanges(models.Model):
    """How many times anything a programme's pages rate or show has changed: a counter that
    every such write raises (`programmes.caching.programme_changed`, from the signals), so
    that what is computed from the programme (its assessment) is kept in the cache under
    the counter and computed again only after a change (issue 17). A row of its own, not a
    field of Programme, so that saving a programme read earlier never writes an old count
    back."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # It starts at a random number, so that a programme made after another was deleted (or
    # rolled back, in the tests) and given its id never finds the other's entries.
    count = models.PositiveBigIntegerField(default=random_count)

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.count} changes"
