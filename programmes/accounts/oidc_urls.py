"""Routes of programmes.accounts: oidc (issue 12)."""

urlpatterns: list = []
