"""Where the field encoding lived before :mod:`skfeat._fields`; kept so that models
pickled or saved with this module path keep loading."""

from skfeat._fields._encoder import *  # noqa: F401,F403
from skfeat._fields._encoder import (  # noqa: F401 - private names used by old code
    INTEGER_CODE_MIN_REPEATS,
    MISSING_ID,
    N_RESERVED_IDS,
    UNKNOWN_ID,
    FieldEncoder,
    FieldSchema,
)
from skfeat._fields._hashing import HASH_KEY, hash_categories  # noqa: F401
