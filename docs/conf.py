"""Sphinx configuration for skfeat's documentation.

Environment variables:

* ``SKFEAT_INTERSPHINX=1`` links to the scikit-learn, numpy, torch, shap, ...
  docs. Off by default so the build never needs the network; when asked for
  but the network is unreachable, the build goes on without the links.
* ``SKFEAT_DOCS_GALLERY=0`` builds the gallery pages without running the
  examples (same as ``-D plot_gallery=0``), for quick iterations.
"""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent

# examples are small: one torch thread each keeps the gallery fast and fair to
# whoever else shares the machine (set before torch is imported anywhere)
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("SKFEAT_DOCS_FAST", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

sys.path.insert(0, str(DOCS / "sphinxext"))
sys.path.insert(0, str(REPO))

import skfeat_docgen  # noqa: E402

import skfeat  # noqa: E402

# generated before any Sphinx event, so autosummary and sphinx-gallery see them
skfeat_docgen.write_api_reference(DOCS)
skfeat_docgen.stage_gallery(REPO, DOCS / "_gallery_src")
skfeat_docgen.write_frappe_table(DOCS)

# -- project -----------------------------------------------------------------
project = "skfeat"
author = "skfeat developers"
copyright = "skfeat developers"
release = skfeat.__version__
version = ".".join(release.split(".")[:2])

# -- general -------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "skfeat_docgen",
]
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_gallery_src",
    "user_guide/_generated",
    "Thumbs.db",
    ".DS_Store",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
default_role = "literal"
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

# -- autodoc / autosummary / numpydoc --------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"
autodoc_member_order = "groupwise"
autodoc_inherit_docstrings = True
# other people's docstrings evolve; the build checks that they render, not that
# they pass numpydoc's style validation (tests/test_docstrings.py checks Examples)
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
numpydoc_xref_aliases = {}


# -- intersphinx: only when asked, so the build never needs the network ----------
def _online(host="scikit-learn.org", timeout=3):
    import socket

    try:
        socket.create_connection((host, 443), timeout=timeout).close()
    except OSError:
        return False
    return True


intersphinx_mapping = {}
_want_intersphinx = os.environ.get("SKFEAT_INTERSPHINX") == "1"
if _want_intersphinx and not _online():
    print(
        "skfeat docs: SKFEAT_INTERSPHINX=1 but the network is unreachable; "
        "building without intersphinx links."
    )
    _want_intersphinx = False
if _want_intersphinx:
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable/", None),
        "scipy": ("https://docs.scipy.org/doc/scipy/", None),
        "pandas": ("https://pandas.pydata.org/docs/", None),
        "sklearn": ("https://scikit-learn.org/stable/", None),
        "torch": ("https://docs.pytorch.org/docs/stable/", None),
        "skorch": ("https://skorch.readthedocs.io/en/stable/", None),
        "shap": ("https://shap.readthedocs.io/en/latest/", None),
        "matplotlib": ("https://matplotlib.org/stable/", None),
    }
else:
    # numpydoc's default aliases point at python/numpy glossary terms and labels,
    # which only resolve through intersphinx: render those words as plain names
    from numpydoc.xref import DEFAULT_LINKS

    numpydoc_xref_aliases = {
        key: key
        for key, target in DEFAULT_LINKS.items()
        if target.startswith((":term:", ":ref:"))
    }
intersphinx_timeout = 10

# -- sphinx-gallery ----------------------------------------------------------------
_run_examples = os.environ.get("SKFEAT_DOCS_GALLERY", "1") != "0"
sphinx_gallery_conf = {
    "examples_dirs": ["_gallery_src"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"plot_",
    "ignore_pattern": r"__init__\.py",
    "plot_gallery": "True" if _run_examples else "False",
    "doc_module": ("skfeat",),
    "reference_url": {"skfeat": None},
    "backreferences_dir": "gen_modules/backreferences",
    "reset_modules": ("matplotlib", "skfeat_docgen.reset_torch"),
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "within_subsection_order": "FileNameSortKey",
    "min_reported_time": 1,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
}

# -- HTML ------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skfeat {release}"
html_static_path = []
html_show_sourcelink = False
html_theme_options = {
    "navbar_end": ["navbar-icon-links"],
    "secondary_sidebar_items": ["page-toc"],
    "show_prev_next": False,
    "navigation_with_keys": False,
}
html_context = {"default_mode": "light"}
