"""Scope first, then fetch (issue 10, "One permission path"; STYLE.md): no view fetches an
object by id before narrowing to what the user may see.

Views fetch through `programmes.permissions.get_for` (404 when not visible, 403 when the role
does not allow the action) or look ids up in `Model.objects.visible_to(user)`. This reads
every views module and fails on a `get_object_or_404`, a `Model.objects...get(...)`, or a
lookup by id (`pk=`, `id=`, or a value read from the request) on a queryset that was not
narrowed with `visible_to`.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["programmes", "workstreams", "risks", "reporting", "plans"]
ID_LOOKUPS = {"pk", "id", "pk__in", "id__in"}
# A model's whole table: every row of every programme.
MANAGERS = {"objects", "_default_manager", "_base_manager"}
# Where an already scoped queryset comes from, besides `visible_to(user)`.
SCOPED = {"visible_to", "get_queryset"}


def views_modules() -> list[Path]:
    """Every module that serves a page or an API route, and the page helpers they share."""
    found = [ROOT / "programmes" / "lists.py"]
    for app in APPS:
        found += [ROOT / app / "views.py", *sorted((ROOT / app / "views").glob("*.py"))]
        found += sorted((ROOT / app / "api").glob("*views*.py"))
    return [path for path in found if path.exists()]


def _chain(node: ast.expr) -> tuple[list[str], ast.expr]:
    """The attribute and call names a queryset expression is built from, and its root:
    `Risk.objects.visible_to(u).filter(...)` -> ["objects", "visible_to", "filter"]."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        else:
            return list(reversed(names)), node


def unscoped_fetches(source: str) -> list[tuple[int, str]]:
    """(line, code) of each fetch by id that was not scoped first."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in ("get_object_or_404", "get_list_or_404"):
            found.append((node.lineno, ast.unparse(node)))
            continue
        if not isinstance(func, ast.Attribute) or name not in ("get", "filter", "in_bulk"):
            continue
        names, _ = _chain(func.value)
        if not MANAGERS & set(names) or SCOPED & set(names):
            continue
        by_id = any(
            keyword.arg in ID_LOOKUPS
            or keyword.arg is None
            or "request" in ast.unparse(keyword.value)
            for keyword in node.keywords
        )
        if name in ("get", "in_bulk") or by_id:
            found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def test_no_view_fetches_an_object_before_scoping_it():
    modules = views_modules()
    assert len(modules) > 15, "the views modules were not found"
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {code}"
        for path in modules
        for line, code in unscoped_fetches(path.read_text(encoding="utf-8"))
    ]
    assert problems == [], (
        "Fetch through programmes.permissions.get_for, or look up in "
        "Model.objects.visible_to(user):\n" + "\n".join(problems)
    )


def test_the_check_sees_each_unscoped_fetch():
    source = """
def view(request, risk_id):
    a = get_object_or_404(Risk, pk=risk_id)
    b = Risk.objects.select_related("owner").get(pk=risk_id)
    c = Workstream.objects.filter(programme=programme, pk=request.GET.get("workstream")).first()
    d = Decision.objects.filter(id=request.POST["decision"])
    e = Milestone.objects.filter(workstream__programme=programme, owner=request.user.person)
    f = Risk._default_manager.get(pk=risk_id)
    g = Risk.objects.in_bulk([risk_id])
"""
    assert [line for line, _ in unscoped_fetches(source)] == [3, 4, 5, 6, 7, 8, 9]


def test_the_check_lets_scoped_fetches_through():
    source = """
def view(request, risk_id):
    a = get_for(request.user, Action.VIEW, Risk.objects.select_related("owner"), pk=risk_id)
    b = Workstream.objects.visible_to(request.user).filter(pk=read_id(request.GET.get("w")))
    c = Risk.objects.filter(programme=programme).order_by("sort_key")
    d = self.get_queryset().get(pk=instance.pk)
    e = request.GET.get("period")
    f = Milestone.history.filter(id=milestone.pk)
"""
    assert unscoped_fetches(source) == []
