"""Ranking metrics and scorers usable in ``GridSearchCV(scoring=...)``."""

from skfeat.metrics._ranking import (
    hit_rate_at_k,
    make_ranking_scorer,
    ndcg_at_k,
    ranking_metric,
    recall_at_k,
)

__all__ = [
    "hit_rate_at_k",
    "make_ranking_scorer",
    "ndcg_at_k",
    "ranking_metric",
    "recall_at_k",
]
