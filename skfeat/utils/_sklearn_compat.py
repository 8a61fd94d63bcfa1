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

try:  # scikit-learn >= 1.8: honour the "sparse_interface" config (sparray/spmatrix)
    from sklearn.utils._sparse import _align_api_if_sparse  # noqa: E402
except ImportError:  # pragma: no cover - older scikit-learn has spmatrix only

    def _align_api_if_sparse(X):
        return X


from sklearn.utils._param_validation import HasMethods  # noqa: E402

__all__ += ["HasMethods", "_align_api_if_sparse"]

from sklearn.utils._param_validation import _Constraint  # noqa: E402

__all__ += ["_Constraint"]
