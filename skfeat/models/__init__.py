"""scikit-learn estimators wrapping skfeat's torch modules."""

from skfeat.models._base import BaseFieldModel
from skfeat.models._decomposition import Decomposition
from skfeat.models._fields import FieldSchema
from skfeat.models._fm import (
    FMClassifier,
    FMRegressor,
    FwFMClassifier,
    FwFMRegressor,
)

__all__ = [
    "BaseFieldModel",
    "Decomposition",
    "FMClassifier",
    "FMRegressor",
    "FieldSchema",
    "FwFMClassifier",
    "FwFMRegressor",
]
