"""What is computed from a whole programme, computed once per change rather than per request
(issue 17).

Every write that can change what a programme's pages rate or show raises the programme's
change counter (`ProgrammeChanges`), in the write's own transaction: the signal handlers in
`programmes.signals` call `programme_changed` after any save or delete of the models listed
in `WATCHED`, so the pages, the import, the API and the site administration all raise it,
whichever service made the change. Services that write with `QuerySet.update` or
`bulk_create` (which send no signals) call `programme_changed` themselves.

A computed value is kept in the shared cache (`settings.CACHES`: Redis in production, else
each process's memory) under the programme, its counter and the date it is computed for, so
that a change is seen on the next request in every process, and a new day (ratings depend on
the date) computes it again. A value worked out during a request is written there once the
response has been sent (`share`), and kept meanwhile in the process's own memo. As at the end of a closed period nothing changes any more
(`keep_closed`), so that is kept without the counter.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery

from programmes.models import ProgrammeChanges

# Kept a day at most (the date is in the key anyway); as at a closed period, a month.
TODAY_TIMEOUT = 24 * 60 * 60
CLOSED_TIMEOUT = 31 * 24 * 60 * 60
ALL = None  # programme_changed(ALL): a change that can touch every programme (a person's name)

logger = logging.getLogger(__name__)


def changes_of(programme_id: int) -> int:
    """The programme's change counter (one query; the first time, its row is made)."""
    count = (
        ProgrammeChanges.objects.filter(programme_id=programme_id)
        .values_list("count", flat=True)
        .first()
    )
    if count is None:
        count = _make_counter(programme_id)
    return count


def _make_counter(programme_id: int) -> int:
    try:
        with transaction.atomic():
            return ProgrammeChanges.objects.create(programme_id=programme_id).count
    except IntegrityError:  # made at the same moment by another request
        return ProgrammeChanges.objects.get(programme_id=programme_id).count


def start_counting(programme_id: int) -> None:
    """A new programme's counter, made with it (so that reading it never has to)."""
    ProgrammeChanges.objects.create(programme_id=programme_id)


def programme_changed(programme_ids: Iterable[int] | None) -> None:
    """Raise the change counter of these programmes (ALL: of every programme), in the
    caller's transaction, so that what was computed before the change is not served again."""
    if programme_ids is ALL:
        ProgrammeChanges.objects.update(count=F("count") + 1)
        return
    ids = {programme_id for programme_id in programme_ids if programme_id is not None}
    if ids:
        # A programme without a counter has nothing kept under one (reading makes it), so
        # there is nothing to raise; nor is one made here, for a programme being deleted.
        ProgrammeChanges.objects.filter(programme_id__in=ids).update(count=F("count") + 1)


def cache_key(name: str, programme_id: int, as_of: date, changes: int | None) -> str:
    version = "closed" if changes is None else changes
    return f"programme:{name}:{programme_id}:{version}:{as_of.isoformat()}"


# The last values this process computed or read, by key: unpickling a programme's assessment
# (thousands of model instances) costs about as much as loading it again, so a process keeps
# the few it used last as they are. The key holds the counter, so they are never stale; the
# values are shared by the requests of this process, so whoever gets one only reads it.
MEMO_SIZE = 12
_memo: OrderedDict[str, object] = OrderedDict()


_memo_lock = threading.Lock()


def _kept[T](
    key: str, timeout: int | None, compute: Callable[[], T], fuller: Sequence[str] = ()
) -> T:
    """From this process's memo, else the shared cache, else computed; `timeout` None: kept
    in this process only (for what costs as much to unpickle as to work out again). `fuller`:
    the keys of values that would do as well (a fuller one), taken if kept already."""
    keys = (key, *fuller)
    value = _in_memo(keys)
    if value is not None:
        return value
    kept_as = key
    if timeout is not None:
        for candidate in keys:  # one at a time: each value found is unpickled
            value = cache.get(candidate)
            if value is not None:
                kept_as = candidate
                break
    if value is None:
        value = compute()
        if timeout is not None:
            share(key, value, timeout)
    with _memo_lock:
        _memo[kept_as] = value
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return value


def _in_memo(keys: Sequence[str]):
    with _memo_lock:
        for key in keys:
            if key in _memo:
                _memo.move_to_end(key)
                return _memo[key]
    return None


def kept_in_process(name: str, programme_id: int, as_of: date, changes: int | None):
    """The value this process keeps under the name (`changes` None: as at a closed period),
    or None: nothing is worked out, and the shared cache is not read (a value too large to
    unpickle for what the caller wants of it)."""
    return _in_memo([cache_key(name, programme_id, as_of, changes)])


# Writes to the shared cache that wait for the end of the request that made them.
_pending = threading.local()


def share(key: str, value: object, timeout: int) -> None:
    """Put a value in the shared cache; during a request, once its response has been sent
    (when the server closes it, `request_finished`), so that the person who made the change
    does not wait for the pickling: a programme's assessment, a megabyte of model instances,
    took 50 ms to pickle where it took 80 ms to compute. Outside a request (a worker's task,
    a command), at once. Until then, the value is in this process's memo, and another
    process computes its own."""
    writes = getattr(_pending, "writes", None)
    if writes is None:
        cache.set(key, value, timeout)
    else:
        writes[key] = (value, timeout)


def _start_deferring(**kwargs) -> None:
    _pending.writes = {}


def _write_deferred(**kwargs) -> None:
    writes = getattr(_pending, "writes", None)
    _pending.writes = None
    for key, (value, timeout) in (writes or {}).items():
        try:
            cache.set(key, value, timeout)
        except Exception:  # the response has gone: log it, and another process computes it
            logger.exception("Could not keep %s in the shared cache", key)


request_started.connect(_start_deferring, dispatch_uid="programmes.caching.start_deferring")
request_finished.connect(_write_deferred, dispatch_uid="programmes.caching.write_deferred")


def keep[T](
    name: str,
    programme_id: int,
    as_of: date,
    compute: Callable[[], T],
    *,
    changes=None,
    fuller: Sequence[str] = (),
) -> T:
    """`compute()`'s value for the programme as of today, from the cache if nothing in the
    programme has changed since it was computed. Read-only. The counter is `changes` if the
    caller read it already (`with_changes`), else one query. `fuller`: the names of values
    that would do as well, taken instead if one is kept already (the plan's assessment, where
    the whole assessment is at hand)."""
    if changes is None:
        changes = changes_of(programme_id)
    keys = [cache_key(n, programme_id, as_of, changes) for n in (name, *fuller)]
    return _kept(keys[0], TODAY_TIMEOUT, compute, keys[1:])


def keep_in_process[T](
    name: str, programme_id: int, as_of: date, compute: Callable[[], T], *, changes: int
) -> T:
    """`keep`, but only in this process's memo, never the shared cache: for a large value
    made mostly of what is kept already (the dashboard, made of the programme's assessment),
    which another process would take as long to unpickle as to build from its own copy."""
    return _kept(cache_key(name, programme_id, as_of, changes), None, compute)


def keep_closed[T](
    name: str,
    programme_id: int,
    as_of: date,
    compute: Callable[[], T],
    *,
    fuller: Sequence[str] = (),
) -> T:
    """`compute()`'s value as at the end of a period that has ended: the history it is read
    from no longer changes, so it is kept without the counter (no query). Read-only."""
    keys = [cache_key(n, programme_id, as_of, None) for n in (name, *fuller)]
    return _kept(keys[0], CLOSED_TIMEOUT, compute, keys[1:])


def with_changes(programmes: QuerySet) -> QuerySet:
    """The programmes each with its change counter as `changes`, read in the same query (None
    where it has none yet), so that a page's cached values cost no query of their own."""
    return programmes.annotate(
        changes=Subquery(
            ProgrammeChanges.objects.filter(programme_id=OuterRef("pk")).values("count")[:1]
        )
    )


def known_changes(programme) -> int:
    """The programme's counter as read with it (`with_changes`), else read now."""
    changes = getattr(programme, "changes", None)
    return changes if changes is not None else changes_of(programme.pk)


def changes_of_many(
    programme_ids: Iterable[int], known: dict[int, int | None] | None = None
) -> dict[int, int]:
    """The change counters of many programmes: those `known` (read with the programmes), the
    rest in one query (made where missing)."""
    counts = {pk: count for pk, count in (known or {}).items() if count is not None}
    ids = set(programme_ids) - set(counts)
    if ids:
        counts.update(
            ProgrammeChanges.objects.filter(programme_id__in=ids).values_list(
                "programme_id", "count"
            )
        )
    for programme_id in ids - set(counts):
        counts[programme_id] = _make_counter(programme_id)
    return counts


def keep_many[T](
    name: str,
    programme_ids: list[int],
    as_of: date,
    compute: Callable[[list[int]], dict[int, T]],
    *,
    closed: bool = False,
    known: dict[int, int | None] | None = None,
) -> dict[int, T]:
    """`keep` (or, `closed`, `keep_closed`) for many programmes at once, by id: one query
    for their counters, one read of the cache, and `compute(ids)` once for those it does not
    hold. For small values (a programme's line in the portfolio), not kept in the process."""
    counts = {} if closed else changes_of_many(programme_ids, known)
    keys = {pk: cache_key(name, pk, as_of, None if closed else counts[pk]) for pk in programme_ids}
    found = cache.get_many(list(keys.values()))
    values = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in programme_ids if pk not in values]
    if missing:
        computed = compute(missing)
        cache.set_many(
            {keys[pk]: computed[pk] for pk in missing}, CLOSED_TIMEOUT if closed else TODAY_TIMEOUT
        )
        values.update(computed)
    return values


def forget_kept() -> None:
    """Empty this process's own copies (the shared cache is left as it is)."""
    _memo.clear()
