"""Synthetic data with planted interactions, and loaders for real CTR data."""

from skfeat.datasets._criteo import make_criteo_files
from skfeat.datasets._frappe import load_frappe
from skfeat.datasets._implicit import make_implicit_feedback
from skfeat.datasets._movielens import load_movielens_sequences
from skfeat.datasets._sequence import make_history_classification
from skfeat.datasets._synthetic import (
    make_interaction_classification,
    make_interaction_regression,
)
from skfeat.datasets._vector import make_vector_field_classification

__all__ = [
    "load_frappe",
    "load_movielens_sequences",
    "make_criteo_files",
    "make_history_classification",
    "make_implicit_feedback",
    "make_interaction_classification",
    "make_interaction_regression",
    "make_vector_field_classification",
]
