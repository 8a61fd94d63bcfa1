"""Find skfeat's public estimators and transformers (used by the common tests)."""

import inspect
from importlib import import_module

from sklearn.base import BaseEstimator

_PUBLIC_PACKAGES = ("skfeat.models", "skfeat.preprocessing", "skfeat.explain")


def all_estimators():
    """Return ``(name, class)`` for every public skfeat estimator, sorted by name.

    Only names exported in a public subpackage's ``__all__`` count, and abstract
    bases (names starting with ``Base``) are left out.

    Returns
    -------
    estimators : list of (str, type)
        Each estimator's name and class.

    Examples
    --------
    >>> from skfeat.utils.discovery import all_estimators
    >>> "FMClassifier" in dict(all_estimators())
    True
    """
    found = {}
    for package in _PUBLIC_PACKAGES:
        try:
            module = import_module(package)
        except ModuleNotFoundError:
            continue
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not name.startswith("Base")
                and not inspect.isabstract(obj)
            ):
                found[name] = obj
    return sorted(found.items())


__all__ = ["all_estimators"]
