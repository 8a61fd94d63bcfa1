"""Fields: the one concept every skfeat package shares (private).

Input columns become model fields here: column kinds, the :class:`FieldEncoder`
(vocabulary, reserved ids, hashing, binning, vector fields), the
:class:`FieldSchema` the torch modules are built from, and the mergeable
:class:`FieldStatistics` that fits from files and across processes build the
encoder from. This package imports no other skfeat package but ``utils``.
"""

from skfeat._fields._binning import NumericBinner
from skfeat._fields._encoder import (
    FieldEncoder,
    FieldSchema,
    resolve_categorical,
    resolve_vector_features,
)
from skfeat._fields._ids import MISSING_ID, N_RESERVED_IDS, UNKNOWN_ID
from skfeat._fields._stats import FieldStatistics

__all__ = [
    "MISSING_ID",
    "N_RESERVED_IDS",
    "UNKNOWN_ID",
    "FieldEncoder",
    "FieldSchema",
    "FieldStatistics",
    "NumericBinner",
    "resolve_categorical",
    "resolve_vector_features",
]
