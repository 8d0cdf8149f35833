"""Querysets that own "what may this user see" (DOMAIN.md section 2: everyone else sees
nothing of a programme). One subquery on memberships, whatever the data size."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import models


def visible_programme_ids(user) -> models.QuerySet:
    """The ids of programmes in which the user holds any role, as a subquery: those they
    are a member of, and every programme of an organisation whose portfolio office they are."""
    membership = apps.get_model("programmes", "Membership")
    organisation_role = apps.get_model("programmes", "OrganisationRole")
    programme = apps.get_model("programmes", "Programme")
    active = {"person__user": user, "person__user__is_active": True}
    return programme.objects.filter(
        models.Q(pk__in=membership.objects.filter(**active).values("programme_id"))
        | models.Q(
            organisation_id__in=organisation_role.objects.filter(**active).values("organisation_id")
        )
    ).values("pk")


def sees_everything(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


class ScopedQuerySet(models.QuerySet):
    """For models that belong to one programme. `programme_path` on the model says how to
    reach it ("programme", or "workstream__programme")."""

    def visible_to(self, user, programme_ids: Iterable[int] | None = None) -> ScopedQuerySet:
        """What the user may see. `programme_ids`: the programmes they see, when the caller
        already has them (`programmes.permissions.access_for(user).grants`, read once a
        request), so that each statement filters by ids rather than by the subquery."""
        if sees_everything(user):
            return self
        if not (user.is_authenticated and user.is_active):
            return self.none()
        path = getattr(self.model, "programme_path", "programme")
        ids = visible_programme_ids(user) if programme_ids is None else sorted(programme_ids)
        return self.filter(**{f"{path}_id__in": ids})


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user, programme_ids: Iterable[int] | None = None) -> ProgrammeQuerySet:
        """The programmes the user may see; `programme_ids` as for `ScopedQuerySet`."""
        if sees_everything(user):
            return self
        if not (user.is_authenticated and user.is_active):
            return self.none()
        ids = visible_programme_ids(user) if programme_ids is None else sorted(programme_ids)
        return self.filter(pk__in=ids)

    def active(self) -> ProgrammeQuerySet:
        return self.filter(status="active")


class MembershipQuerySet(models.QuerySet):
    def of_user(self, user) -> MembershipQuerySet:
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(person__user=user)
