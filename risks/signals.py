"""Keep the RAID log's record of where its entries sit in step with the plan."""

from django.dispatch import receiver

from risks.models import Issue, Risk
from workstreams.models import Workstream
from workstreams.services.structure import workstream_moved


@receiver(workstream_moved, sender=Workstream, dispatch_uid="risks_follow_their_workstream")
def workstream_moved_to_another_area(sender, workstream, from_area, by, **kwargs):
    """A workstream's risks and issues are held in its area (`Risk.held_in`, whose tolerances
    apply): when it moves, they move with it, each change in their history."""
    for model in (Risk, Issue):
        for entry in model.objects.filter(workstream=workstream, area=from_area):
            entry.area = workstream.area
            entry._history_user = by
            entry.save(update_fields=["area"])
