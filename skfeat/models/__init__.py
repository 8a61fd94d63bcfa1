"""scikit-learn estimators wrapping skfeat's torch modules."""

from skfeat._fields import FieldSchema
from skfeat.models._averaging import WeightAveraging
from skfeat.models._base import BaseFieldModel
from skfeat.models._dcnv3 import DCNv3Classifier, DCNv3Regressor
from skfeat.models._decomposition import Decomposition
from skfeat.models._deep import (
    AutoIntClassifier,
    AutoIntRegressor,
    DCNClassifier,
    DCNRegressor,
    DeepFMClassifier,
    DeepFMRegressor,
    DNNClassifier,
    DNNRegressor,
    WideDeepClassifier,
    WideDeepRegressor,
)
from skfeat.models._fignn import FiGNNClassifier, FiGNNRegressor
from skfeat.models._finalmlp import FinalMLPClassifier, FinalMLPRegressor
from skfeat.models._finalnet import FinalNetClassifier, FinalNetRegressor
from skfeat.models._fm import (
    FMClassifier,
    FMRegressor,
    FwFMClassifier,
    FwFMRegressor,
)
from skfeat.models._lightgcn import LightGCN
from skfeat.models._multvae import MultVAE
from skfeat.models._vae import VAEClassifier, VAERegressor
from skfeat.models._variant import FitVariant

__all__ = [
    "AutoIntClassifier",
    "AutoIntRegressor",
    "BaseFieldModel",
    "DCNClassifier",
    "DCNRegressor",
    "DCNv3Classifier",
    "DCNv3Regressor",
    "DNNClassifier",
    "DNNRegressor",
    "Decomposition",
    "DeepFMClassifier",
    "DeepFMRegressor",
    "FMClassifier",
    "FMRegressor",
    "FiGNNClassifier",
    "FiGNNRegressor",
    "FieldSchema",
    "FinalMLPClassifier",
    "FitVariant",
    "FinalMLPRegressor",
    "FinalNetClassifier",
    "FinalNetRegressor",
    "FwFMClassifier",
    "FwFMRegressor",
    "LightGCN",
    "MultVAE",
    "VAEClassifier",
    "VAERegressor",
    "WeightAveraging",
    "WideDeepClassifier",
    "WideDeepRegressor",
]
