"""Routes of programmes.accounts: session (issue 12)."""

urlpatterns: list = []
