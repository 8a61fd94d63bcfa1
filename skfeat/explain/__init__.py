"""Explain which columns and column pairs drive a model's predictions.

Exact SHAP (interaction) values for models at most second order in the columns
(FM, FwFM), exact enumeration or regression estimates with standard errors for
any model, and global views of the interactions.
"""

from skfeat.explain._explainer import InteractionExplainer
from skfeat.explain._pair_plots import (
    plot_interaction_bar,
    plot_interaction_beeswarm,
    plot_interaction_dependence,
)
from skfeat.explain._plots import plot_interaction_heatmap, rank_interactions

__all__ = [
    "InteractionExplainer",
    "plot_interaction_bar",
    "plot_interaction_beeswarm",
    "plot_interaction_dependence",
    "plot_interaction_heatmap",
    "rank_interactions",
]
