"""
=====================================================
Which feature pairs drive a factorization machine?
=====================================================

A factorization machine (FM) models every pair of columns, so a global weight
table does not say which pairs matter. SHAP interaction values do: for each
prediction they split the output into a main effect per column and a share per
pair of columns, summing exactly to the prediction minus the average one.

For models whose output is at most second order in the columns (FM, FwFM),
:class:`skfeat.explain.InteractionExplainer` computes them in closed form, in
milliseconds, against a background as large as the training set. Here we plant
three interacting pairs in synthetic data, fit an FM, and check that the
explanation finds them.
"""

# %%
# Data with planted pairs
# -----------------------
# Eight categorical columns with 16 levels each; the logit has a main effect per
# column and pure interactions on three pairs of columns.
import matplotlib

matplotlib.use("Agg")  # draw off-screen when run as a script or by sphinx-gallery

import matplotlib.pyplot as plt
import shap
import torch

from skfeat.datasets import make_interaction_classification
from skfeat.explain import (
    InteractionExplainer,
    plot_interaction_heatmap,
    rank_interactions,
)
from skfeat.models import FMClassifier

torch.set_num_threads(1)  # tiny model: one thread is fastest on a small CPU

X, y, truth = make_interaction_classification(n_samples=20_000, random_state=0)
X_train, y_train = X.iloc[:16_000], y[:16_000]
X_test = X.iloc[16_000:]
print("planted pairs:", truth.pairs)

# %%
# Fit a factorization machine
# ---------------------------
# The embedding size must cover the total rank of the true interactions (here
# three rank-2 pairs).
model = FMClassifier(
    embed_dim=8,
    batch_size=1024,
    learning_rate=0.01,
    max_epochs=10,
    early_stopping=False,
    random_state=0,
).fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y[16_000:]):.3f}")

# %%
# Explain the logit
# -----------------
# The whole training set serves as background: the exact method only needs its
# means and pairwise moments.
explainer = InteractionExplainer(model, X_train)
print("method:", explainer.method_, "| base value:", round(explainer.expected_value, 3))
interactions = explainer.shap_interaction_values(X_test.iloc[:500])
shap_values = explainer.shap_values(X_test.iloc[:500])

# %%
# Rank the pairs
# --------------
# The three planted pairs stand far above the rest.
ranking = rank_interactions(interactions)
print(ranking.head(6).to_string(index=False))

# %%
# Interaction heatmap
# -------------------
ax = plot_interaction_heatmap(interactions)
plt.tight_layout()
plt.show()

# %%
# shap's own plots
# ----------------
# The explanations are ``shap.Explanation`` objects, so shap's plots work as is.
# Categorical columns are coloured by category code.
shap.plots.beeswarm(shap_values, show=False)
plt.tight_layout()
plt.show()
