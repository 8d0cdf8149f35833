"""No address typed or cut short by hand is a server error (issue 10, defect 5).

Every page that answers GET, from the URL resolver, is sent each query parameter it knows
(the fields of its filters, and what its view reads from `request.GET`) with values nobody
should send: words where numbers go, numbers too long for the database, NUL characters,
quotes, months that do not exist, very long strings and repeated keys. Each answer must be
the page (perhaps with a message), a 400 or a 404: never a 500.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from functools import cache

import pytest
from django.test import Client

from programmes.lists import render_list
from tests.made_once import world_made_once
from tests.url_catalogue import Route, all_routes, make_world, url_for

GARBAGE = [
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "",
    "\x00",
    "%00",
    "'",
    "2026-13",
    "0001-01",
    "9999-12",
    "x" * 5000,
]
# Values that pass a number, id or month field's own checks and reach the database.
ALONE = ["-1", "99999999999999999999", "0001-01"]
# What Django's own views read: the sign-in page's "next".
FRAMEWORK_PARAMETERS = {"login": {"next"}}
# What the list framework reads for every list that renders through it.
LIST_PARAMETERS = {"sort", "page", "format"}
# Readers of the query string that pages of every app call: the "as at" choice (issue 15).
SHARED = ("programmes.as_at",)
# What the API reads for every list, besides its filters.
API_LIST_PARAMETERS = {"page", "page_size", "format"}


def _unwrapped(callback):
    while hasattr(callback, "__wrapped__"):
        callback = callback.__wrapped__
    return callback


def _read_keys(tree: ast.AST) -> set[str]:
    """The keys a function reads from `request.GET` (`.get("k")`, `["k"]`, `.getlist("k")`)."""
    keys = set()
    for node in ast.walk(tree):
        target, key = None, None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "getlist")
            and node.args
        ):
            target, key = node.func.value, node.args[0]
        elif isinstance(node, ast.Subscript):
            target, key = node.value, node.slice
        if (
            isinstance(target, ast.Attribute)
            and target.attr in ("GET", "query_params")
            and isinstance(key, ast.Constant)
            and isinstance(key.value, str)
        ):
            keys.add(key.value)
    return keys


@cache
def _function_tree(function) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(function)))


def view_parameters(function, seen=None) -> set[str]:
    """What a view function reads from the query string: itself, the helpers of its module
    it calls (and theirs), the filters of the filter sets it builds, and the list
    framework's parameters when it renders a list."""
    seen = seen if seen is not None else set()
    if function in seen:
        return set()
    seen.add(function)
    tree = _function_tree(function)
    keys = _read_keys(tree)
    module_globals = function.__globals__
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name):
            continue
        value = module_globals.get(node.id)
        if value is render_list:
            keys |= LIST_PARAMETERS
        elif node.id.endswith("FilterSet") and hasattr(value, "base_filters"):
            keys |= set(value.base_filters)
        elif inspect.isfunction(value) and value.__module__ in (function.__module__, *SHARED):
            keys |= view_parameters(value, seen)
    return keys


def parameters(route: Route) -> list[str]:
    """Every query parameter the page knows."""
    if route.is_api:
        viewset = route.callback.cls
        keys = set(API_LIST_PARAMETERS) if route.name.endswith("-list") else {"format"}
        if route.name.endswith("-list") and getattr(viewset, "filterset_class", None):
            keys |= set(viewset.filterset_class.base_filters)
        return sorted(keys)
    keys = set(FRAMEWORK_PARAMETERS.get(route.name, ()))
    if not hasattr(route.callback, "view_class"):
        keys |= view_parameters(_unwrapped(route.callback))
    return sorted(keys)


PAGES = [route for route in all_routes() if "GET" in route.methods]


@world_made_once
def world(plan, people):
    return make_world(plan, chair=people["board"].person, feed_user=people["lead"])


def test_the_pages_that_read_parameters_are_found():
    known = {route.name: parameters(route) for route in PAGES}
    assert {"period", "heat"} <= set(known["programme_detail"])
    assert {"start", "months", "area", "workstream", "kind", "rag", "period"} <= set(
        known["programme_timeline"]
    )
    assert {"sort", "page", "format", "q", "band", "owner"} <= set(known["risk_list"])
    assert {"programme", "workstream", "page"} <= set(known["api:milestone-list"])
    assert "as_at" in known["portfolio"]


@pytest.mark.parametrize("route", PAGES, ids=lambda route: route.name)
def test_no_query_string_is_a_server_error(route, people, world):
    client = Client(raise_request_exception=False)
    client.force_login(people["office"])
    url = url_for(route, world)
    names = parameters(route)
    if names:
        asked = [dict.fromkeys(names, value) for value in GARBAGE]
        # One invalid field makes a whole filter form invalid, and then nothing is looked
        # up: each parameter also goes alone with the values a form may accept.
        asked += [{name: value} for name in names for value in ALONE]
        asked.append(dict.fromkeys(names, GARBAGE[:4]))  # each key repeated
    else:
        asked = [{"unexpected": value} for value in ("abc", "\x00")]
    failures = []
    for query in asked:
        response = client.get(url, query)
        if response.status_code >= 500:
            failures.append(f"{url} {query!r:.200}: {response.status_code}")
    assert failures == []


def test_a_programme_page_asked_for_a_period_that_is_not_a_number_says_so(client, people, world):
    # The case in the issue: ?period=abc was a server error on the programme's dashboard.
    client.force_login(people["board"])

    response = client.get(f"/programmes/{world['programme'].pk}/", {"period": "abc"})

    assert response.status_code == 200
    assert "does not have" in response.content.decode()
