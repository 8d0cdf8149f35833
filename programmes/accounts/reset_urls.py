"""Routes of programmes.accounts: reset (issue 12)."""

urlpatterns: list = []
