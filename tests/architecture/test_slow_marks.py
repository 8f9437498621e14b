"""`make test-fast` leaves out the tests marked slow or browser, and promises
an edit loop that starts no other process. A test that starts one (a
subprocess, a second Python, a server) must say so with its mark, or the
loop quietly grows by seconds per test."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

# Names whose use starts a process: the standard library's, and our own
# helpers that run manage.py or a bench script in one.
STARTERS = {"subprocess", "multiprocessing", "Popen", "manage", "Installation"}
# Processes that are not Python and return in milliseconds (msgfmt, openssl).
EXEMPT = {
    "test_arabic_catalogue_has_no_untranslated_or_fuzzy_entry",
    "test_openssl_alone_checks_the_signature_with_the_published_key",
}


def _names(node) -> set[str]:
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        # Fixtures are asked for by parameter name.
        names |= {arg.arg for arg in node.args.args}
    return names


def _module_marks(tree) -> str:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            return ast.unparse(node.value)
    return ""


def unmarked_process_tests(path: Path) -> list[str]:
    """The tests of this module that reach a process starter through the
    module's own functions and fixtures, without a slow or browser mark."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if any(mark in _module_marks(tree) for mark in ("slow", "browser")):
        return []
    functions = {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    uses = {name: _names(node) for name, node in functions.items()}
    starting = {name for name, names in uses.items() if names & STARTERS}
    grown = True
    while grown:
        reached = {n for n, names in uses.items() if names & starting} - starting
        starting |= reached
        grown = bool(reached)
    found = []
    for name in sorted(starting):
        node = functions[name]
        if not name.startswith("test_") or name in EXEMPT:
            continue
        marks = " ".join(ast.unparse(d) for d in node.decorator_list)
        if "slow" not in marks and "browser" not in marks:
            found.append(f"{node.lineno} {name}")
    return found


def test_every_test_that_starts_a_process_is_marked_slow():
    found = [
        f"{path.relative_to(TESTS.parent)}:{test}"
        for path in sorted(TESTS.rglob("test_*.py"))
        for test in unmarked_process_tests(path)
    ]
    assert found == [], "mark these @pytest.mark.slow:\n" + "\n".join(found)


def test_the_check_sees_an_unmarked_process(tmp_path):
    module = tmp_path / "test_example.py"
    module.write_text(
        "import subprocess\n"
        "def _run():\n    subprocess.run(['true'])\n"
        "def test_runs():\n    _run()\n"
        "def test_pure():\n    assert True\n",
        encoding="utf-8",
    )
    assert unmarked_process_tests(module) == ["4 test_runs"]
