"""Dependencies point down the layer list of ARCHITECTURE.md; checked by parsing every import."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "egov"
LAYER = {
    "core": 0,
    "organizations": 1,
    "accounts": 2,
    "procedures": 3,
    "signatures": 3,
    "dossiers": 4,
    "documents": 4,
    "payments": 4,
    "eservices": 5,
    "exchange": 5,
    "integration": 5,
    "portal": 5,
    "reports": 5,
    "workspace": 6,
}
# The only imports allowed inside one layer (ARCHITECTURE.md).
SIDEWAYS = {("dossiers", "documents"), ("dossiers", "payments")}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in names if name.startswith("egov.") and name.count(".") >= 1}


def app_sources() -> list[tuple[str, Path]]:
    return [
        (path.relative_to(PACKAGE).parts[0], path)
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] in LAYER
    ]


@pytest.mark.parametrize(("app", "path"), app_sources(), ids=lambda v: str(v))
def test_an_app_imports_only_lower_layers(app: str, path: Path):
    for other in imported_apps(path) - {app}:
        if other not in LAYER:
            continue
        allowed = LAYER[other] < LAYER[app] or (app, other) in SIDEWAYS
        assert allowed, (
            f"{path.relative_to(PACKAGE)} imports egov.{other} (layer {LAYER[other]} ≥ {LAYER[app]})"
        )


def test_every_app_in_the_package_has_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()}
    assert apps <= set(LAYER)
