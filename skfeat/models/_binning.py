"""Where the numeric binner lived before :mod:`skfeat._fields`; kept so that models
pickled with this module path keep loading."""

from skfeat._fields._binning import NumericBinner  # noqa: F401
