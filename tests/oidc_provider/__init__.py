"""A real OpenID Connect provider for the tests of single sign-on (issue 12).

A small Django project of its own (settings, urls, one model) around django-oauth-toolkit's
OpenID Connect support: a plain sign-in page, ID tokens signed RS256 with a key made at
start, and the claims `email` and `email_verified` from each user. `fixture.py` starts it on
the loopback in a process of its own; the product talks to it over HTTP as to Entra ID.
"""
