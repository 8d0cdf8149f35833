"""The "Sign in with ..." buttons of the sign-in page (issue 12; programmes/accounts/oidc.py)."""

from django import template

from programmes.accounts.oidc import offered_providers

register = template.Library()


@register.inclusion_tag("accounts/oidc_buttons.html")
def sign_in_with_buttons(next_url: str = ""):
    """One secondary button per identity provider offered now; none when there are none."""
    return {"offers": offered_providers(), "next": next_url}
