"""Keep plan-derived memberships in step with the plan, however the plan is edited (pages,
import, site administration)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from programmes.models import ProgrammeArea
from programmes.services import sync_area_memberships


@receiver(post_save, sender=ProgrammeArea, dispatch_uid="sync_area_memberships")
def area_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_area_memberships(instance)
