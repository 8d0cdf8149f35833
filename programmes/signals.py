"""Keep plan-derived memberships in step with the plan, however the plan is edited (pages,
import, site administration); and keep every history's reason within its column."""

from textwrap import shorten

from django.db.models.signals import post_save
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from programmes.models import ProgrammeArea
from programmes.services import sync_area_memberships


@receiver(post_save, sender=ProgrammeArea, dispatch_uid="sync_area_memberships")
def area_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_area_memberships(instance)


# django-simple-history keeps a change's reason in 100 characters, and PostgreSQL refuses a
# longer one with a server error; services give reasons typed by people (closing a risk,
# re-baselining, reopening a period). One rule for every history: what fits is kept, cut at a
# word with an ellipsis; the whole reason stays where the service keeps it.
HISTORY_REASON_LENGTH = 100


@receiver(pre_create_historical_record, dispatch_uid="history_reason_fits")
def history_reason_fits(sender, history_instance, **kwargs):
    reason = history_instance.history_change_reason
    if reason and len(reason) > HISTORY_REASON_LENGTH:
        history_instance.history_change_reason = shorten(
            reason, HISTORY_REASON_LENGTH, placeholder="…"
        )
