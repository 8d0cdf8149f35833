"""Signing in with a username and password, and reading the signed-in user on each request."""

from django.contrib.auth import backends, get_user_model

# The path sessions record for the users this backend signs in (`login(..., backend=...)`).
MODEL_BACKEND = "programmes.accounts.backends.ModelBackend"


class ModelBackend(backends.ModelBackend):
    """Django's, but the signed-in user is read with their person and the person's
    organisation in the same query: every page's header names both (the organisation, and
    the person on the sign-out button), which were two more queries on every request."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("person__organisation")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
