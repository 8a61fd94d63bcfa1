"""The package structure holds: no private model internals outside
``skfeat/models``, and no import cycle between subpackages.

Both are read from the source (``ast``), lazy imports inside functions included.
"""

import ast
import pathlib

import skfeat
from skfeat.models import _base

ROOT = pathlib.Path(skfeat.__file__).parent

#: private attributes a fit sets on every model (besides the methods)
_FITTED_PRIVATE = {
    "_input_kind_",
    "_seed_",
    "_label_encoder",
    "_target_mean",
    "_target_scale",
    "_binner",
    "_binned",
    "_in_vector",
    "_sparse_gradients_",
    "_valid_index",
}


def _base_private_names():
    names = set(_FITTED_PRIVATE)
    for cls in (_base.BaseFieldModel, _base.FieldClassifierMixin,
                _base.FieldRegressorMixin):  # fmt: skip
        names |= {n for n in vars(cls) if n.startswith("_") and not n.startswith("__")}
    return names


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def _own_names(tree):
    """Names a module defines itself (its classes' methods and attributes)."""
    own = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            own.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                own.add(node.attr)
        elif isinstance(node, ast.Assign):
            own |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return own


def private_uses_outside_models():
    private = _base_private_names()
    found = []
    for path, tree in _modules():
        rel = path.relative_to(ROOT)
        if rel.parts[0] == "models":
            continue
        own = _own_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in private - own:
                found.append(f"{rel}:{node.lineno}: .{node.attr}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr", "setattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in private - own
            ):
                found.append(
                    f"{rel}:{node.lineno}: {node.func.id}(.., {node.args[1].value!r})"
                )
    return found


def _subpackage(module):
    parts = module.split(".")
    if parts[0] != "skfeat" or len(parts) < 2:
        return None
    if not (ROOT / parts[1]).is_dir():
        return None  # a top-level module (exceptions): a leaf
    return parts[1]


def import_graph():
    """``{subpackage: {subpackage it imports}}``."""
    graph = {}
    for path, tree in _modules():
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2:
            continue
        here = rel.parts[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                other = _subpackage(target)
                if other is not None and other != here:
                    graph.setdefault(here, set()).add(other)
    return graph


def find_cycle(graph):
    """One cycle of ``graph`` as a list of nodes, or None."""
    state = {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt, stack)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node, [])
            if cycle:
                return cycle
    return None


def test_no_private_model_internals_outside_models():
    assert private_uses_outside_models() == []


def test_no_import_cycle_between_subpackages():
    assert find_cycle(import_graph()) is None


def test_the_checks_can_fail():
    # a planted private use and a planted cycle are found
    tree = ast.parse("def f(m):\n    return m._check_X(None, reset=False)\n")
    assert any(
        isinstance(n, ast.Attribute) and n.attr in _base_private_names()
        for n in ast.walk(tree)
    )
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_fields_import_no_model_code():
    graph = import_graph()
    assert graph.get("_fields", set()) <= {"utils"}
    assert "models" not in graph.get("data", set())
