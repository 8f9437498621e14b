"""The import graph of the project's own code runs one way.

Read with `ast` from the source (nothing is imported): every module of
archive/, testimonies/, search/, research/ and bench/ (tests and migrations aside:
Django loads migrations itself and they read models through its historical
registry). An edge goes from a module to every module of ours it imports,
at any depth in the file, absolute or relative, `from pkg import module`
included, and to the packages whose `__init__` that import runs.

Two rules:
- no cycle between modules (a cycle is named in the failure);
- no import of our own modules inside a function, where it usually hides a
  cycle, except where Django requires it: ALLOWED_IN_FUNCTIONS lists each
  such place with its reason.
"""

import ast
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("archive", "testimonies", "search", "research", "bench")

# Where an import inside a function is how Django works, not a dodge.
# "module" allows a whole script module; "module:Class.function" one function.
ALLOWED_IN_FUNCTIONS = {
    "archive.apps:ArchiveConfig.ready": (
        "AppConfig.ready runs once every app's models are loaded: signal "
        "handlers and connection hooks are connected there, not at import"
    ),
    "testimonies.apps:TestimoniesConfig.ready": (
        "AppConfig.ready: the system checks that read the models and the "
        "gazetteer are registered once the app registry is ready"
    ),
    "search.apps:SearchConfig.ready": (
        "AppConfig.ready: the deploy checks are registered and the Whoosh "
        "reader patch applied once the app registry is ready"
    ),
    "research.apps:ResearchConfig.ready": (
        "AppConfig.ready: the handler that empties notes and collections of "
        "an erased testimony is connected, and the testimony page's panel "
        "registered, once the models are loaded"
    ),
    "bench.search_bench": (
        "a script: each step sets up Django itself (django.setup(), in this "
        "process or a child) before importing the models it needs"
    ),
    "bench.search_engines:RawPostgres._matching": (
        "a reference engine of the benchmark script: built once the script "
        "has called django.setup(), it imports the models then"
    ),
    "bench.search_quality": (
        "a script: it calls django.setup() before importing the models it reads"
    ),
    "bench.research_bench": (
        "a script: bench.search_quality sets Django up before it imports the "
        "models and services it times"
    ),
    "bench.search_profile": (
        "a script: it points Django at a benchmark folder and calls "
        "django.setup() before importing what reads the models"
    ),
    "bench.search_plans": (
        "a script: it points Django at a benchmark folder and calls "
        "django.setup() before importing the models whose statements it explains"
    ),
    "bench.incident_bench": (
        "a script: it loads the demo archive into a benchmark folder and calls "
        "django.setup() before importing the models and selectors it times"
    ),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            modules[_module_name(path)] = path
    return modules


def _imported_names(module: str, node, is_package: bool) -> list[str]:
    """The dotted names an import statement asks for, relative ones resolved;
    for `from x import y` both `x.y` (when y is a module) and `x`."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = module.split(".")
        if not is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join(parts + ([base] if base else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _targets(names, modules) -> set[str]:
    """Our modules that importing `names` runs: each name's module (or the
    nearest enclosing one) and the packages above it."""
    found = set()
    for name in names:
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            candidate = ".".join(parts[:depth])
            if candidate in modules:
                found.add(candidate)
    return found


class _ImportVisitor(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, modules):
        self.module, self.is_package, self.modules = module, is_package, modules
        self.scope: list[str] = []
        self.function_depth = 0
        self.edges: set[str] = set()
        self.in_functions: list[tuple[str, int, str]] = []

    def _scoped(self, node, is_function):
        self.scope.append(node.name)
        self.function_depth += is_function
        self.generic_visit(node)
        self.function_depth -= is_function
        self.scope.pop()

    def visit_ClassDef(self, node):
        self._scoped(node, False)

    def visit_FunctionDef(self, node):
        self._scoped(node, True)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _import(self, node):
        names = _imported_names(self.module, node, self.is_package)
        targets = _targets(names, self.modules) - {self.module}
        self.edges |= targets
        if targets and self.function_depth:
            where = f"{self.module}:{'.'.join(self.scope)}"
            named = sorted(
                t for t in targets if not any(o.startswith(t + ".") for o in targets)
            )
            self.in_functions.append((where, node.lineno, ", ".join(named)))

    visit_Import = visit_ImportFrom = _import


def import_graph():
    modules = project_modules()
    edges, in_functions = {}, []
    for module, path in modules.items():
        visitor = _ImportVisitor(module, path.name == "__init__.py", modules)
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        edges[module] = visitor.edges
        in_functions += visitor.in_functions
    return edges, in_functions


def strongly_connected(edges) -> list[list[str]]:
    """Tarjan's components of more than one module (iterative)."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def shortest_cycle(edges, component) -> list[str]:
    """One shortest cycle through the component's first module, to name it."""
    members, start = set(component), component[0]
    came_from, queue = {start: None}, deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(edges[node] & members):
            if child == start:
                path = [node]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    return component


def test_the_walk_sees_the_project_and_its_imports():
    # A walk that found nothing would pass the two tests below: check it sees
    # modules and edges we know exist.
    edges, _ = import_graph()
    assert "testimonies.policy" in edges
    assert "archive.roles" in edges["testimonies.policy"]
    assert "testimonies.models" in edges["search.search_indexes"]


def test_a_cycle_is_found_and_named():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    (component,) = strongly_connected(edges)
    assert component == ["a", "b", "c"]
    assert shortest_cycle(edges, component) == ["a", "b", "c", "a"]


def test_no_import_cycle_between_our_modules():
    edges, _ = import_graph()
    cycles = [
        " -> ".join(shortest_cycle(edges, component))
        + (f"  (in a loop of {len(component)}: {', '.join(component)})")
        for component in strongly_connected(edges)
    ]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_no_import_of_our_modules_inside_a_function_unless_django_needs_it():
    _, in_functions = import_graph()
    hidden = [
        f"{where} (line {line}) imports {targets}"
        for where, line, targets in in_functions
        if where not in ALLOWED_IN_FUNCTIONS
        and where.split(":")[0] not in ALLOWED_IN_FUNCTIONS
    ]
    assert not hidden, "imports inside functions:\n" + "\n".join(hidden)
