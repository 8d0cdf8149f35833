"""Routes of programmes.accounts: two_factor (issue 12)."""

urlpatterns: list = []
