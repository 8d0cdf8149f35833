"""The change history of an object and what it holds, in plain words (DOMAIN.md section 2:
"who, when, what changed, from what to what").

"Forecast moved from Sep 2025 to Nov 2025 by Anne Mosley, 3 Oct 2025". Reads
django-simple-history's records: one query per kind of record, whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from programmes.choices import DatePrecision
from programmes.dates import day_label, format_plan_date
from programmes.models import Person

# Fields never worth telling a person about.
IGNORED_FIELDS = {"id", "sort_key", "programme", "history_id", "history_date", "version"}
PRECISION_SUFFIX = "_precision"
DATE_SUFFIX = "_date"

# Phrasing for the changes people care most about; everything else is "X changed from A to B".
MOVED = {"forecast_date": "Forecast", "baseline_date": "Baseline", "start_date": "Start"}
# What a change of position moved an object within, by the kind of object.
ORDER_MOVES = {
    "milestone": "Moved in the workstream's order",
    "programmearea": "Moved in the programme's order of areas",
    "keydocument": "Moved in the area's list of key documents",
}


@dataclass(frozen=True)
class Change:
    when: datetime
    who: str
    subject: str
    descriptions: tuple[str, ...]

    @property
    def sentence(self) -> str:
        return "; ".join(self.descriptions)


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return "the system"
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def _field_label(model, name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except Exception:
        return name.replace("_", " ").capitalize()
    label = str(field.verbose_name)
    if label.endswith(" date") and name in MOVED:
        label = label[: -len(" date")]
    return label[:1].upper() + label[1:]


class _Formatter:
    """Turns stored values into words: choices by their label, linked objects by name (a
    person, a meeting, a milestone), dates by their precision."""

    def __init__(self, names: dict[type, dict[int, str]]):
        self.names = names

    def value(self, model, record, name: str, value) -> str:
        if value in (None, ""):
            return "blank"
        field = model._meta.get_field(name)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.ForeignKey):
            fallback = "someone" if field.related_model is Person else "one since removed"
            return self.names.get(field.related_model, {}).get(value, fallback)
        if isinstance(field, models.BooleanField):
            return "yes" if value else "no"
        if isinstance(field, models.DateField):
            precision = getattr(record, name.removesuffix(DATE_SUFFIX) + PRECISION_SUFFIX, None)
            if precision in (DatePrecision.DAY, DatePrecision.MONTH):
                return format_plan_date(value, precision)
            return day_label(value)
        text = str(value)
        return text if len(text) <= 80 else text[:77] + "..."


def _describe_difference(model, old, new, formatter: _Formatter) -> list[str]:
    descriptions = []
    for field in model._meta.concrete_fields:
        name = field.attname if isinstance(field, models.ForeignKey) else field.name
        plain = field.name
        if plain in IGNORED_FIELDS or plain.endswith(PRECISION_SUFFIX):
            continue
        before, after = getattr(old, name, None), getattr(new, name, None)
        if plain.endswith(DATE_SUFFIX):
            precision = plain.removesuffix(DATE_SUFFIX) + PRECISION_SUFFIX
            if hasattr(new, precision):
                before = (before, getattr(old, precision, None))
                after = (after, getattr(new, precision, None))
        if before == after:
            continue
        if isinstance(before, tuple):
            before_text = format_plan_date(*before) or "blank"
            after_text = format_plan_date(*after) or "blank"
        else:
            before_text = formatter.value(model, old, plain, before)
            after_text = formatter.value(model, new, plain, after)
        label = _field_label(model, plain)
        if plain == "meeting":
            if before_text == "blank":
                descriptions.append(f"Put on the agenda of {after_text}")
            elif after_text == "blank":
                descriptions.append(f"Taken off the agenda of {before_text}")
            else:
                descriptions.append(
                    f"Moved from the agenda of {before_text} to that of {after_text}"
                )
        elif plain == "position":
            descriptions.append(ORDER_MOVES.get(model._meta.model_name, "Moved in the order"))
        elif plain == "actual_date" and after_text != "blank":
            descriptions.append(f"Completed on {after_text}")
        elif plain == "status" and after == "complete" and getattr(new, "actual_date", None):
            continue  # said by "Completed on ..."
        elif plain in MOVED and before_text == "blank":
            descriptions.append(f"{MOVED[plain]} set to {after_text}")
        elif plain in MOVED and after_text == "blank":
            descriptions.append(f"{MOVED[plain]} removed (was {before_text})")
        elif plain in MOVED:
            descriptions.append(f"{MOVED[plain]} moved from {before_text} to {after_text}")
        elif plain == "at_risk":
            descriptions.append("Flagged at risk" if after else "No longer flagged at risk")
        elif before_text == "blank":
            descriptions.append(f"{label} set to {after_text}")
        else:
            descriptions.append(f"{label} changed from {before_text} to {after_text}")
    return descriptions


@dataclass(frozen=True)
class HistorySource:
    """One kind of history on a page: the records (filtered to what belongs there), how to
    name the object a record is about ("Milestone 1.1.3"), and, optionally, what to say when
    one is added ("Recorded 20.2")."""

    records: models.QuerySet
    subject: Callable
    summary: Callable | None = None


def _names_of(model, ids: set[int]) -> dict[int, str]:
    """Linked objects as people read them: a person or a user by name, anything else as it
    prints itself ("Programme Board, 10 Nov 2026")."""
    if model is Person:
        return dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))
    if model is get_user_model():
        users = model._base_manager.select_related("person").in_bulk(ids)
        return {
            pk: getattr(getattr(user, "person", None), "name", None) or user.get_username()
            for pk, user in users.items()
        }
    return {pk: str(obj)[:80] for pk, obj in model._base_manager.in_bulk(ids).items()}


def _linked_sets(queryset) -> dict:
    """For a history that keeps many-to-many links (a workstream's dependencies, outcome
    categories, supporters): field -> history id -> the ids linked in that record. One query
    a field; none for histories without such links."""
    history_model = queryset.model
    found = {}
    for field in getattr(history_model, "_history_m2m_fields", None) or ():
        rows = getattr(history_model, field.name).model._default_manager.filter(
            history_id__in=queryset.values("history_id")
        )
        linked = defaultdict(set)
        for history_id, target in rows.values_list("history_id", field.m2m_reverse_name()):
            linked[history_id].add(target)
        found[field] = linked
    return found


def _describe_links(record, previous, many: dict, names: dict) -> list[str]:
    """ "Depends on: added 2.1 Extra Care Housing; removed 1.2 Involving users"."""
    descriptions = []
    for field, linked in many.items():
        before, after = linked.get(previous.history_id, set()), linked.get(record.history_id, set())
        if before == after:
            continue
        named = names.get(field.related_model, {})
        parts = []
        for word, ids in (("added", after - before), ("removed", before - after)):
            if ids:
                parts.append(
                    f"{word} " + ", ".join(sorted(named.get(i, "one since removed") for i in ids))
                )
        label = str(field.verbose_name)
        descriptions.append(f"{label[:1].upper()}{label[1:]}: {'; '.join(parts)}")
    return descriptions


def describe_history(sources: Iterable[HistorySource], *, limit: int = 100) -> list[Change]:
    """Changes from several kinds of history, newest first."""
    loaded = []
    linked: dict[type, set[int]] = defaultdict(set)
    for source in sources:
        queryset, subject, summary = source.records, source.subject, source.summary
        model = queryset.model.instance_type
        records = list(
            queryset.select_related("history_user__person").order_by("history_date", "history_id")
        )
        many = _linked_sets(queryset) if records else {}
        for field, sets in many.items():
            by_object = defaultdict(list)
            for record in records:
                by_object[record.id].append(sets.get(record.history_id, set()))
            for states in by_object.values():
                for before, after in zip(states, states[1:], strict=False):
                    linked[field.related_model].update(before ^ after)
        links = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, models.ForeignKey) and field.name not in IGNORED_FIELDS
        ]
        # Only links that changed are told, so only their objects need names.
        last_seen = {}
        for record in records:
            before = last_seen.get(record.id)
            if before is not None:
                for field in links:  # a field the history leaves out is never told
                    old = getattr(before, field.attname, None)
                    new = getattr(record, field.attname, None)
                    if old != new:
                        linked[field.related_model].update(v for v in (old, new) if v)
            last_seen[record.id] = record
        loaded.append((model, records, subject, summary, many))
    # One query per kind of linked object that changed, to name what a change points at.
    names = {related: _names_of(related, ids) for related, ids in linked.items()}
    formatter = _Formatter(names)

    changes = []
    for model, records, subject, summary, many in loaded:
        previous_by_object = defaultdict(lambda: None)
        for record in records:
            object_id = record.id
            previous = previous_by_object[object_id]
            if record.history_type == "+":
                descriptions = [summary(record) if summary else "Added"]
            elif record.history_type == "-":
                descriptions = ["Removed"]
            elif previous is None:
                descriptions = ["Changed"]
            else:
                descriptions = _describe_difference(model, previous, record, formatter)
                descriptions += _describe_links(record, previous, many, names)
            if getattr(record, "history_change_reason", None):
                descriptions.append(f"Reason: {record.history_change_reason}")
            previous_by_object[object_id] = record
            if descriptions:
                changes.append(
                    Change(record.history_date, _who(record), subject(record), tuple(descriptions))
                )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


def changes_since(model, object_id: int, version: int | None) -> list[Change]:
    """What others changed in an object after the version a user started editing from (None:
    they started from nothing, so its writing is itself a change they have not seen)."""
    records = model.history.filter(id=object_id)
    if version is None:
        return describe_history([HistorySource(records, lambda record: "")], limit=20)
    changes = describe_history(
        [HistorySource(records.filter(version__gte=version), lambda record: "")], limit=20
    )
    # The first record is the version the user saw (its creation, or a change with nothing
    # before it here): not something someone else did.
    return [change for change in changes if change.descriptions not in (("Changed",), ("Added",))]


def conflict_message(
    model,
    object_id: int,
    version: int | None,
    noun: str,
    *,
    doing: str = "editing it",
    outcome: str = "Your changes are below and have not been saved: check them and save again.",
) -> str:
    """The message for a user whose save was refused because someone else saved first, naming
    who changed what since `version` (the one they started from; None if they started from
    nothing), and what became of their save (`outcome`): "Someone else changed this risk while
    you were editing it (Anne Mosley on 3 Oct 2026 at 10:15: Title changed from ...). Your
    changes ..."."""
    changes = changes_since(model, object_id, version)
    told = "; ".join(
        f"{change.who} on {timezone.localtime(change.when):%-d %b %Y at %H:%M}: {change.sentence}"
        for change in changes
    )
    return (
        f"Someone else changed this {noun} while you were {doing}"
        + (f" ({told})" if told else "")
        + f". {outcome}"
    )
