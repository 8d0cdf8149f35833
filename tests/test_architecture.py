"""The layout shows the architecture: the foundation at the bottom, imports pointing one way.

programmes (the foundation) <- workstreams <- risks <- reporting <- plans. A module may import
its own app and the apps below it, never one above (at module level or inside a function),
and no two modules import each other, directly or round a longer loop.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["programmes", "workstreams", "risks", "reporting", "plans"]
RANK = {app: index for index, app in enumerate(LAYERS)}


def _modules() -> dict[str, Path]:
    modules = {}
    for app in [*LAYERS, "transformation"]:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every absolute import in a file, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
    return found


def test_no_module_imports_an_app_above_its_own():
    upward = []
    for name, path in _modules().items():
        app = name.split(".")[0]
        if app not in RANK:
            continue
        for line, module, _ in _imports(path):
            target = module.split(".")[0]
            if target in RANK and RANK[target] > RANK[app]:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert upward == [], "Imports that point upwards:\n" + "\n".join(upward)


def test_no_two_modules_import_each_other():
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        targets = set()
        for _, module, names in _imports(path):
            for imported in names:
                if f"{module}.{imported}" in modules:
                    targets.add(f"{module}.{imported}")
            if module in modules:
                targets.add(module)
        graph[name] = targets - {name}

    cycles, finished, trail = [], set(), []

    def visit(name: str) -> None:
        trail.append(name)
        for target in sorted(graph.get(name, ())):
            if target in trail:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in finished:
                visit(target)
        trail.pop()
        finished.add(name)

    for name in sorted(graph):
        if name not in finished:
            visit(name)
    assert cycles == [], "Import cycles:\n" + "\n".join(cycles)


def test_the_checks_see_an_upward_import(tmp_path):
    # The scanner itself must notice an import inside a function, as well as at the top.
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from reporting.dashboard import build_dashboard\n")
    assert _imports(sample) == [(2, "reporting.dashboard", ["build_dashboard"])]
