"""Routes of programmes.accounts: two_factor (issue 12)."""

from django.urls import path

from programmes.accounts import two_factor

urlpatterns = [
    path("account/two-factor/", two_factor.two_factor, name="two_factor"),
    path("account/two-factor/code/", two_factor.two_factor_code, name="two_factor_code"),
    path(
        "account/two-factor/turn-off/",
        two_factor.two_factor_turn_off,
        name="two_factor_turn_off",
    ),
]
