"""How a rating moved since the last period, in the words and arrows every page and report
uses (issue 15, part 8): "Better" (up arrow), "Worse" (down arrow), "Same" (right arrow) or
"New". The arrow says better or worse, never the direction of a number: a risk whose score
went up is Worse.

Ratings are compared by `reporting.dashboard.rating_movement`, risk scores by
`risks.rules.risk_movement`; both come here to be named.
"""

from __future__ import annotations

from django.db import models


class Movement(models.TextChoices):
    BETTER = "better", "Better"
    WORSE = "worse", "Worse"
    SAME = "same", "Same"
    NEW = "new", "New"

    @property
    def arrow(self) -> str:
        return ARROWS[self]


ARROWS = {
    Movement.BETTER: "\u2191",  # ↑
    Movement.WORSE: "\u2193",  # ↓
    Movement.SAME: "\u2192",  # →
    Movement.NEW: "+",  # not on the last period's list
}

# A risk's score moves up or down (risks.rules.Movement): up is worse.
_RISK_SCORE = {"up": Movement.WORSE, "down": Movement.BETTER}


def as_movement(value) -> Movement:
    """Any movement the pages carry (a rating's better/worse/same/new or a risk score's
    up/down/same/new) as the one `Movement`."""
    value = str(value.value if hasattr(value, "value") else value)
    return _RISK_SCORE.get(value) or Movement(value)
