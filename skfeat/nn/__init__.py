"""Pure torch modules: field embeddings and interaction layers. No scikit-learn here."""

from skfeat.nn._attention import FieldSelfAttention
from skfeat.nn._compressed import CompressedEmbedding
from skfeat.nn._cross import CrossNetV2
from skfeat.nn._dcnv3 import DCNv3
from skfeat.nn._deep import DNN, AutoInt, DCNv2, DeepFM, WideDeep
from skfeat.nn._embedding import FieldEmbedding
from skfeat.nn._finalmlp import FinalMLP
from skfeat.nn._finalnet import FinalNet
from skfeat.nn._fm import FM, FwFM, SparseFM, pairwise_interaction
from skfeat.nn._lightgcn import LightGCNModule
from skfeat.nn._mlp import MLP

__all__ = [
    "DNN",
    "FM",
    "MLP",
    "AutoInt",
    "CompressedEmbedding",
    "CrossNetV2",
    "DCNv2",
    "DCNv3",
    "DeepFM",
    "FieldEmbedding",
    "FieldSelfAttention",
    "FinalMLP",
    "FinalNet",
    "FwFM",
    "LightGCNModule",
    "SparseFM",
    "WideDeep",
    "pairwise_interaction",
]
