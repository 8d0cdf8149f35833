"""Keep the workstream lead's membership in step with the plan, however the plan is edited
(pages, import, site administration)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from programmes.services import sync_workstream_memberships
from workstreams.models import Workstream


@receiver(post_save, sender=Workstream, dispatch_uid="sync_workstream_memberships")
def workstream_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_workstream_memberships(instance)
