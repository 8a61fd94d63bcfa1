"""The one place where skfeat imports private scikit-learn helpers.

A new scikit-learn release that moves one of these breaks this file only.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import _check_feature_names_in, validate_data

__all__ = [
    "Hidden",
    "Interval",
    "StrOptions",
    "_check_feature_names_in",
    "_fit_context",
    "validate_data",
    "validate_params",
]

from sklearn.utils.validation import _check_sample_weight  # noqa: E402

__all__ += ["_check_sample_weight"]
