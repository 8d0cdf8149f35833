"""Signing in (issue 12): single sign-on with OpenID Connect (`oidc`), password reset
(`reset`), sessions (`sessions`) and two-factor codes for local accounts (`two_factor`).

How a session was signed in is kept in it under `SIGNED_IN_WITH`: "password" for our own
sign-in page (and the set-password links that sign in), or the id of the single sign-on
provider. Those who signed in with single sign-on are not asked for our two-factor code:
their organisation's identity provider enforces its own.
"""

SIGNED_IN_WITH = "signed_in_with"
PASSWORD = "password"
