"""The documentation's code runs: user-guide snippets and the API reference.

Every ``>>>`` block of ``docs/index.rst`` and ``docs/user_guide/*.rst`` is run
with :mod:`doctest`, a page at a time. A page that imports a skfeat name that
does not exist yet is skipped, and the skip names what is missing. The gallery
examples (``examples/plot_*.py``) run in ``make docs``, not here.
"""

import doctest
import importlib
import re
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted([DOCS / "index.rst", *(DOCS / "user_guide").glob("*.rst")])
IMPORT = re.compile(r"^\s*(?:>>>|\.\.\.)\s+from (skfeat[\w.]*) import (.+)$", re.M)


def _missing_names(text):
    """``module.name`` for each skfeat import in ``text`` that cannot be made."""
    missing = []
    for module_name, names in IMPORT.findall(text):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            missing.append(module_name)
            continue
        for name in re.split(r"[,\s()]+", names):
            if name and not hasattr(module, name):
                missing.append(f"{module_name}.{name}")
    return missing


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_code_runs(page):
    text = page.read_text()
    missing = _missing_names(text)
    if missing:
        pytest.skip(f"{page.name} uses names not in skfeat yet: {', '.join(missing)}")
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: one thread is the fastest
    try:
        result = doctest.testfile(
            str(page),
            module_relative=False,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
            raise_on_error=False,
            verbose=False,
        )
    finally:
        torch.set_num_threads(threads)
    assert result.failed == 0, f"{result.failed} example(s) failed in {page.name}"


def test_every_user_guide_page_has_code_or_is_the_index():
    for page in (DOCS / "user_guide").glob("*.rst"):
        if page.name != "index.rst":
            assert ">>>" in page.read_text(), f"{page.name} has no tested code"


def test_api_reference_lists_every_public_name():
    sys.path.insert(0, str(DOCS / "sphinxext"))
    try:
        docgen = importlib.import_module("skfeat_docgen")
    finally:
        sys.path.pop(0)
    listed = {
        f"{module.__name__}.{name}"
        for module, names in docgen.public_modules()
        for name in names
    }
    for package in docgen.PACKAGES:
        try:
            module = importlib.import_module(f"skfeat.{package}")
        except ModuleNotFoundError:
            continue
        for name in module.__all__:
            assert f"skfeat.{package}.{name}" in listed


TEST_REFERENCE = re.compile(r"(tests/test_\w+\.py)(?:::(test_\w+))?")


def test_every_test_the_docs_name_exists():
    """A claim that names its test (``tests/test_x.py::test_y``) names one that
    exists, so a renamed or deleted test cannot leave the claim unbacked."""
    root = DOCS.parent
    texts = [root / "README.md", *PAGES, DOCS / "benchmarks.md"]
    checked = 0
    for page in texts:
        for path, name in TEST_REFERENCE.findall(page.read_text()):
            source = root / path
            assert source.exists(), f"{page.name} names {path}, which does not exist"
            if name:
                assert re.search(rf"^def {name}\(", source.read_text(), re.M), (
                    f"{page.name} names {path}::{name}, which does not exist"
                )
            checked += 1
    assert checked >= 5
