"""The panel on a new programme's page: what to do next to set it up (issue 11)."""

from django import template

from programmes.choices import Role
from programmes.permissions import Action, may

register = template.Library()


@register.inclusion_tag("programmes/includes/next_steps.html", takes_context=True)
def programme_next_steps(context, programme):
    """For a programme with no areas yet: the programme office is offered the plan import and
    the first area; the portfolio office is told who does that (or to appoint someone)."""
    user = context["request"].user
    can_manage = may(user, Action.MANAGE_PROGRAMME, programme)
    can_appoint = may(user, Action.APPOINT_PROGRAMME_OFFICE, programme)
    office = []
    if can_appoint and not can_manage:
        office = sorted(
            programme.memberships.filter(role=Role.PROGRAMME_OFFICE).values_list(
                "person__name", flat=True
            )
        )
    return {
        "programme": programme,
        "show": can_manage or can_appoint,
        "can_manage": can_manage,
        "office": office,
    }
