"""The package's shape: imports go one way, so no package needs another that needs it back."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "skedjit"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported_modules(name: str) -> set[str]:
    """The skedjit modules a module imports, anywhere in it (functions included)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join([*base, node.module] if node.module else base)
            if node.level == 0:
                target = node.module
            submodules = {f"{target}.{alias.name}" for alias in node.names} & MODULES.keys()
            found |= submodules
            if len(submodules) < len(node.names):  # a name defined in the package itself
                found.add(target)
    return {module for module in found if module in MODULES and module != name}


def unit(module: str) -> str:
    """What a module belongs to: its subpackage, or itself when it sits at the top."""
    return ".".join(module.split(".")[:2])


def graph(nodes) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name in MODULES:
        if name == "skedjit":  # the factory: it wires everything together
            continue
        for target in imported_modules(name):
            if target != "skedjit" and nodes(name) != nodes(target):
                edges.setdefault(nodes(name), set()).add(nodes(target))
    return edges


def a_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as the path around it, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for after in sorted(edges.get(node, ())):
            if state.get(after) == "open":
                return path[path.index(after) :] + [after]
            if after not in state and (found := visit(after)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


@pytest.mark.parametrize(
    ("level", "nodes"),
    [("packages", unit), ("modules", lambda name: name)],
    ids=["packages", "modules"],
)
def test_no_import_cycles(level, nodes):
    cycle = a_cycle(graph(nodes))
    assert cycle is None, f"a cycle between {level}: {' → '.join(cycle)}"


def test_the_cycle_finder_finds_a_cycle():
    assert a_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert a_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_no_view_module_imports_another_packages_views():
    views = {name for name in MODULES if name.endswith(".routes")}
    for name in views:
        others = {target for target in imported_modules(name) if target in views}
        assert not others, f"{name} imports the views of {', '.join(sorted(others))}"
