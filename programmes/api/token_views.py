"""The page where a signed-in user sees, creates, resets or revokes their own API token."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from programmes.api.tokens import issue_token, revoke_token, token_of


@login_required
def api_token(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            revoke_token(user=request.user)
            messages.success(request, "Your API token has been revoked: it no longer works")
        elif action in ("create", "reset"):
            had_one = token_of(request.user) is not None
            issue_token(user=request.user)
            messages.success(
                request,
                "Your API token has been reset: the old one no longer works"
                if had_one
                else "Your API token has been created",
            )
        return redirect("api_token")
    return render(
        request,
        "programmes/api_token.html",
        {
            "token": token_of(request.user),
            "docs_url": reverse("api_docs"),
            "api_url": request.build_absolute_uri("/api/v1/"),
        },
    )
