"""Validation helpers, seeding and batch-sliced datasets shared by skfeat."""

from skfeat.utils._batching import BatchIterator, FieldDataset

__all__ = ["BatchIterator", "FieldDataset"]
