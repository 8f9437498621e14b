"""Engine-neutral code asks the configured engine (search.engine) and never
imports one: another engine can be added beside search/whoosh/ and
search/cluster/ without touching it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ("search.whoosh", "search.cluster")


def imported_modules(source: str, package: str):
    """Every module that `source`, a module of `package`, imports, by its
    dotted name ("from search import whoosh" imports search.whoosh)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parent = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (parent, node.module) if part)
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def engine_neutral_files():
    for app in ("archive", "testimonies", "search"):
        for path in sorted((ROOT / app).rglob("*.py")):
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            if not dotted.startswith(ENGINES):
                yield path


@pytest.mark.parametrize(
    "path", list(engine_neutral_files()), ids=lambda p: str(p.relative_to(ROOT))
)
def test_engine_neutral_code_imports_no_engine(path):
    package = ".".join(path.relative_to(ROOT).parent.parts)
    modules = imported_modules(path.read_text(encoding="utf-8"), package)
    engines = [m for m in modules if m.startswith(ENGINES)]
    assert not engines, f"{path.relative_to(ROOT)} imports {engines}"


@pytest.mark.parametrize(
    "source",
    [
        "from search.whoosh.similar import similar_pks",
        "from search import cluster",
        "from .whoosh import backends",
        "import search.whoosh.rebuild",
    ],
)
def test_the_check_sees_an_engine_import(source):
    assert any(m.startswith(ENGINES) for m in imported_modules(source, "search"))
