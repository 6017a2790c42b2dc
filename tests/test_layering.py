"""The layout of the apps, as a rule the code cannot drift from.

`settings.INSTALLED_APPS` lists Puente's apps from the bottom of the layout up; each app
may import only the apps listed before it, so `core` imports none of them and no two apps
can need each other. Imports hidden inside functions count too (they used to hide
cycles), and are refused altogether except where Django requires them: an app's
`AppConfig.ready()` connecting its own receivers, and the `puente` command, which must
configure Django before it loads any app.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

PACKAGE = Path(__file__).resolve().parent.parent / "puente"
LAYERS = [app.split(".")[1] for app in settings.INSTALLED_APPS if app.startswith("puente.")]


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str
    in_function: str  # name of the enclosing function, "" at module level

    @property
    def app(self) -> str:
        return self.path.relative_to(PACKAGE).parts[0]

    @property
    def target_app(self) -> str:
        parts = self.module.split(".")
        return parts[1] if len(parts) > 1 and parts[0] == "puente" else ""

    def __str__(self) -> str:
        where = f" (inside {self.in_function}())" if self.in_function else ""
        return f"{self.path.relative_to(PACKAGE.parent)}:{self.line} imports {self.module}{where}"


def _imports(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[Import] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            if isinstance(child, ast.Import):
                found.extend(Import(path, child.lineno, a.name, function) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append(Import(path, child.lineno, child.module, function))
            visit(child, inner)

    visit(tree, "")
    return [i for i in found if i.module == "puente" or i.module.startswith("puente.")]


def _app_modules() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if len(path.relative_to(PACKAGE).parts) > 1 and "migrations" not in path.parts
    ]


def test_every_puente_app_has_a_place_in_the_layout():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert apps == set(LAYERS)
    assert LAYERS[0] == "core"


def test_each_app_imports_only_the_apps_below_it():
    upward = [
        str(imp)
        for path in _app_modules()
        for imp in _imports(path)
        if imp.target_app
        and imp.target_app != imp.app
        and LAYERS.index(imp.target_app) > LAYERS.index(imp.app)
    ]
    assert upward == [], "imports against the layout (INSTALLED_APPS order):\n" + "\n".join(upward)


def test_no_puente_import_is_hidden_inside_a_function():
    hidden = [
        str(imp)
        for path in _app_modules()
        for imp in _imports(path)
        if imp.in_function and not (imp.in_function == "ready" and path.name == "apps.py")
    ]
    assert hidden == [], "imports inside functions:\n" + "\n".join(hidden)
