"""Fixed vocabularies shared across the apps (DOMAIN.md sections 2 and 3)."""

from django.db import models


class Rag(models.TextChoices):
    """The ratings every screen and report shows, each as a coloured tag with its word."""

    RED = "red", "Red"
    AMBER_RED = "amber_red", "Amber/Red"
    AMBER = "amber", "Amber"
    AMBER_GREEN = "amber_green", "Amber/Green"
    GREEN = "green", "Green"
    COMPLETE = "complete", "Complete"
    NOT_STARTED = "not_started", "Not started"
    NO_DATA = "no_data", "No data"


THREE_POINT_RATINGS = (Rag.RED, Rag.AMBER, Rag.GREEN)
FIVE_POINT_RATINGS = (Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN, Rag.GREEN)


class RagScale(models.TextChoices):
    THREE_POINT = "three", "Red, Amber, Green"
    FIVE_POINT = "five", "Delivery confidence (five-point)"


class DatePrecision(models.TextChoices):
    """Plans often give months ("Sept 08"); a month means its last day for lateness."""

    DAY = "day", "Day"
    MONTH = "month", "Month"


class Role(models.TextChoices):
    BOARD_MEMBER = "board_member", "Board member"
    SPONSOR = "sponsor", "Sponsor"
    PROJECT_MANAGER = "project_manager", "Project manager"
    WORKSTREAM_LEAD = "workstream_lead", "Workstream lead"
    PROGRAMME_OFFICE = "programme_office", "Programme office"
    PORTFOLIO_OFFICE = "portfolio_office", "Portfolio office"


ORGANISATION_ROLES = (Role.PORTFOLIO_OFFICE,)
PROGRAMME_ROLES = (Role.BOARD_MEMBER, Role.PROGRAMME_OFFICE)
AREA_ROLES = (Role.SPONSOR, Role.PROJECT_MANAGER)
WORKSTREAM_ROLES = (Role.WORKSTREAM_LEAD,)


class MembershipSource(models.TextChoices):
    PLAN = "plan", "From the plan (sponsor, project manager or lead)"
    GRANTED = "granted", "Granted by the programme office"


class ObjectiveLevel(models.TextChoices):
    CORPORATE = "corporate", "Corporate objective"
    DIRECTORATE = "directorate", "Directorate objective"
    SERVICE = "service", "Service objective"


class ProgrammeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class PeriodStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


# The default outcome categories (DOMAIN.md section 1): the seven outcomes for service users
# from the White Paper "Our Health, Our Care, Our Say", plus capacity to improve services. The
# data migration programmes 0003 made them with its own copy of this list; the demo makes any
# that are missing (a test that empties the tables removes them).
DEFAULT_OUTCOME_CATEGORIES = [
    ("improved_health", "Improved health and emotional well-being"),
    ("quality_of_life", "Improved quality of life"),
    ("positive_contribution", "Making a positive contribution"),
    ("choice_and_control", "Increased choice and control"),
    ("freedom_from_discrimination", "Freedom from discrimination and harassment"),
    ("economic_wellbeing", "Economic well-being"),
    ("personal_dignity", "Maintaining personal dignity and respect"),
    ("capacity_to_improve", "Capacity to improve services"),
]
