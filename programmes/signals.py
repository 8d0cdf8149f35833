"""Keep plan-derived memberships in step with the plan, however the plan is edited (pages,
import, site administration); and keep every history's reason within its column."""

import threading
from textwrap import shorten

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from programmes.caching import ALL, programme_changed, start_counting
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


# What a programme's pages rate or show (its assessment and the dashboard): a save or delete of
# any of these raises the programme's change counter (`programmes.caching`), whichever service,
# import, API or administration page made it. Named, not imported: the apps above this one.
CHANGES_PROGRAMME = (
    "programmes.Programme",
    "programmes.ProgrammeArea",
    "programmes.ReportingPeriod",
    "programmes.Funding",
    "workstreams.Workstream",
    "workstreams.Milestone",
    "workstreams.ProgressNote",
    "workstreams.Measure",
    "workstreams.MeasureTarget",
    "workstreams.MeasureReading",
    "workstreams.StatusUpdate",
    "workstreams.BudgetLine",
    "risks.Risk",
    "risks.Decision",
    "risks.BoardMeeting",
    # The dashboard counts the period's exceptions, these among them, once per change.
    "reporting.RaisedException",
)
DEPENDENCIES = ("workstreams.Milestone_depends_on", "workstreams.Workstream_depends_on")


def programme_of(instance) -> int | None:
    """The id of the programme an instance of `CHANGES_PROGRAMME` belongs to (its
    `programme_path`), None if that is gone already (a cascade)."""
    if instance._meta.label == "programmes.Programme":
        return instance.pk
    path = getattr(instance, "programme_path", "programme")
    # Through what is loaded with the instance already, where it is (no query).
    step = instance
    names = path.split("__")
    for name in names[:-1]:
        field = step._meta.get_field(name)
        if not field.is_cached(step):
            break
        step = getattr(step, name)
        if step is None:
            return None
    else:
        return getattr(step, f"{names[-1]}_id")
    first, _, rest = path.partition("__")
    field = instance._meta.get_field(first)
    return (
        field.related_model._base_manager.filter(pk=getattr(instance, field.attname))
        .values_list(rest, flat=True)
        .first()
    )


def _changed(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    _forget_deleting()
    if created and instance._meta.label == "programmes.Programme":
        start_counting(instance.pk)
    else:
        programme_changed([programme_of(instance)])


_deleting = threading.local()


def _forget_deleting():
    _deleting.origin = None


def _deleted(sender, instance, origin=None, **kwargs):
    """A delete raises the counter once for the whole delete (a cascade sends this for every
    row it takes); nothing when a programme itself goes, and its rows with it."""
    if origin is None:
        programme_changed([programme_of(instance)])
        return
    if getattr(_deleting, "origin", None) is not origin:
        _deleting.origin, _deleting.done = origin, set()
        transaction.on_commit(_forget_deleting)  # a later delete of the same origin counts
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if model._meta.label == "programmes.Programme":
        return
    programme_id = (
        programme_of(origin)
        if not isinstance(origin, QuerySet) and origin._meta.label in CHANGES_PROGRAMME
        else programme_of(instance)
    )
    if programme_id not in _deleting.done:
        _deleting.done.add(programme_id)
        programme_changed([programme_id])


def _dependencies_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        programme_changed([programme_of(instance)])


def _person_changed(sender, instance, raw=False, created=False, **kwargs):
    # A person's name is shown wherever they lead, own or sponsor; a new one is in no plan.
    if not raw and not created:
        programme_changed(ALL)


for _label in CHANGES_PROGRAMME:
    post_save.connect(_changed, sender=_label, dispatch_uid=f"changes:{_label}:save")
    post_delete.connect(_deleted, sender=_label, dispatch_uid=f"changes:{_label}:delete")
for _label in DEPENDENCIES:
    m2m_changed.connect(_dependencies_changed, sender=_label, dispatch_uid=f"changes:{_label}")
post_save.connect(_person_changed, sender="programmes.Person", dispatch_uid="changes:person")
