"""Transformers that bring feature interactions into any scikit-learn pipeline.

Explicit crosses (:class:`FeatureCrosser`), entity embeddings learned with a
target (:class:`EmbeddingEncoder`), sparse dictionary codes of pairwise
interaction features (:class:`SparseInteractionCoder`) and crosses of the pairs
an explained FM finds important (:class:`InteractionSelector`).
"""

from skfeat.preprocessing._crossing import FeatureCrosser
from skfeat.preprocessing._embedding import EmbeddingEncoder
from skfeat.preprocessing._selection import InteractionSelector
from skfeat.preprocessing._sparse_coding import SparseInteractionCoder

__all__ = [
    "EmbeddingEncoder",
    "FeatureCrosser",
    "InteractionSelector",
    "SparseInteractionCoder",
]
