"""Compression of fitted skfeat models for serving.

Each function takes a fitted model and returns a compressed, ordinary fitted
estimator: quantised embedding tables, pruned embedding rows, or a smaller student
distilled from it with the same field encoding.
"""

from skfeat.compress._common import embedding_nbytes
from skfeat.compress._distill import distill
from skfeat.compress._prune import prune_embeddings
from skfeat.compress._quantize import quantize_embeddings

__all__ = [
    "distill",
    "embedding_nbytes",
    "prune_embeddings",
    "quantize_embeddings",
]
