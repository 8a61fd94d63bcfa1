"""Every public class and function documents itself with a runnable example.

Walks the ``__all__`` of skfeat's public subpackages (and of their public
submodules, such as ``skfeat.utils.discovery``) and checks for a numpydoc
"Examples" section holding at least one ``>>>`` line. ``make test`` runs those
examples as doctests (``--doctest-modules`` in ``pyproject.toml``).
"""

import ast
import importlib
import inspect
import pkgutil
import re

import pytest

PACKAGES = (
    "models",
    "preprocessing",
    "nn",
    "explain",
    "metrics",
    "datasets",
    "io",
    "exceptions",
    "utils",
    "distributed",
)
PACKAGES += ("compress", "privacy")

# Public names known to lack an Examples section, with who owns the fix. Keep it
# short: a name listed here is a documentation bug, reported in issue 7.
KNOWN_MISSING = {}


def _public_names():
    found = []
    for package in PACKAGES:
        name = f"skfeat.{package}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # package not written yet
            raise
        modules = [module]
        for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
            if not info.name.startswith("_"):
                modules.append(importlib.import_module(f"{name}.{info.name}"))
        for mod in modules:
            for attr in getattr(mod, "__all__", []):
                obj = getattr(mod, attr)
                if inspect.isclass(obj) or inspect.isfunction(obj):
                    found.append((f"{mod.__name__}.{attr}", obj))
    return found


PUBLIC = _public_names()
# the Examples section: up to the next numpydoc section header or the end
EXAMPLES = re.compile(
    r"^\s*Examples\n\s*-{8,}\n(.*?)(?=^\s*\w[\w ]*\n\s*-{3,}\n|\Z)", re.M | re.S
)


def _params():
    for qualname, obj in PUBLIC:
        marks = ()
        if qualname in KNOWN_MISSING:
            marks = pytest.mark.xfail(
                reason=f"no Examples section yet ({KNOWN_MISSING[qualname]})",
                strict=False,
            )
        yield pytest.param(obj, id=qualname, marks=marks)


def test_public_names_found():
    names = {q for q, _ in PUBLIC}
    assert {
        "skfeat.models.FMClassifier",
        "skfeat.explain.InteractionExplainer",
    } <= names


@pytest.mark.parametrize("obj", list(_params()))
def test_docstring_has_examples(obj):
    doc = inspect.getdoc(obj)
    assert doc, f"{obj.__qualname__} has no docstring"
    match = EXAMPLES.search(doc)
    assert match, f"{obj.__qualname__}'s docstring has no 'Examples' section"
    assert ">>>" in match.group(1), f"{obj.__qualname__}'s Examples hold no '>>>' code"


def test_known_missing_are_still_public():
    names = {q for q, _ in PUBLIC}
    stale = sorted(set(KNOWN_MISSING) - names)
    assert not stale, f"remove from KNOWN_MISSING (no longer public): {stale}"


def _stated_default(doc, name):
    """The ``default=...`` a numpydoc parameter line states, or None."""
    match = re.search(rf"^{re.escape(name)} : .*?default=(.+?)\\?$", doc, re.M)
    if match is None:
        return None
    text = match.group(1).strip()
    power = re.fullmatch(r"(\d+)\*\*(\d+)", text)  # hash_buckets=2**20
    if power:
        return int(power[1]) ** int(power[2])
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text  # not a literal (e.g. a name): compared as text below


@pytest.mark.parametrize(
    "cls", [obj for _, obj in PUBLIC if inspect.isclass(obj)], ids=lambda c: c.__name__
)
def test_documented_defaults_match_the_signature(cls):
    # each model writes out its parameter entries (shared ones are filled in
    # whole); a default changed in the signature alone would leave the text
    # stating the old one
    doc = inspect.getdoc(cls) or ""
    wrong = {}
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if param.default is inspect.Parameter.empty:
            continue
        stated = _stated_default(doc, name)
        if stated is None:
            continue
        if stated != param.default and str(stated) != str(param.default):
            wrong[name] = (stated, param.default)
    assert not wrong, f"{cls.__name__}: docstring states {wrong} (stated, actual)"
