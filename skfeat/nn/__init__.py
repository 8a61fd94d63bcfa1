"""Pure torch modules: field embeddings and interaction layers. No scikit-learn here."""

from skfeat.nn._embedding import FieldEmbedding
from skfeat.nn._fm import FM, FwFM, SparseFM, pairwise_interaction

__all__ = ["FM", "FieldEmbedding", "FwFM", "SparseFM", "pairwise_interaction"]
