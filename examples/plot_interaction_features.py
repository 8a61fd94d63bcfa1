"""
===============================================================
Interaction features for a linear model: cross what matters
===============================================================

A logistic regression on one-hot columns sees main effects only. Crossing
columns gives it interactions, but crossing *every* pair of ``m`` columns makes
``m (m - 1) / 2`` crosses, most of them noise. Here an FM is fitted and
explained first: :class:`skfeat.preprocessing.InteractionSelector` ranks the
column pairs by their mean absolute SHAP interaction value and crosses only the
top ones. We compare, on the same data, logistic regression with

* no crosses,
* all pairwise crosses (:class:`skfeat.preprocessing.FeatureCrosser`),
* only the selected crosses,

by test AUC and number of features.
"""

# %%
# Data with planted pairs
# -----------------------
# Eight categorical columns with 16 levels each; the logit has a main effect per
# column and pure interactions on three pairs of columns.
import time

import matplotlib

matplotlib.use("Agg")  # draw off-screen when run as a script or by sphinx-gallery

import matplotlib.pyplot as plt
import pandas as pd
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import OneHotEncoder

from skfeat.datasets import make_interaction_classification
from skfeat.models import FMClassifier
from skfeat.preprocessing import FeatureCrosser, InteractionSelector

torch.set_num_threads(1)  # tiny model: one thread is fastest on a small CPU

X, y, truth = make_interaction_classification(n_samples=20_000, random_state=0)
X_train, y_train = X.iloc[:16_000], y[:16_000]
X_test, y_test = X.iloc[16_000:], y[16_000:]
print("planted pairs:", truth.pairs)

# %%
# Explain, then select
# --------------------
# The selector fits an FM, computes exact SHAP interaction values on a sample of
# training rows and keeps the ``k`` pairs with the largest mean absolute value.
fm = FMClassifier(
    embed_dim=8,
    batch_size=1024,
    learning_rate=0.01,
    max_epochs=10,
    early_stopping=False,
    random_state=0,
)
start = time.perf_counter()
selector = InteractionSelector(fm, k=3, random_state=0).fit(X_train, y_train)
print(f"selection took {time.perf_counter() - start:.1f} s")
print(selector.interaction_scores_.head(6).round(3).to_string())
print("selected:", selector.selected_pairs_)

# %%
# Three logistic regressions
# --------------------------
# All three see the one-hot main effects; they differ in the crosses added. The
# fitted selector is wrapped in ``FrozenEstimator`` so that the pipeline does
# not refit the FM.
onehot = OneHotEncoder(handle_unknown="ignore")
candidates = {
    "no crosses": onehot,
    "all pairwise crosses": make_union(onehot, FeatureCrosser()),
    "selected crosses": make_union(onehot, FrozenEstimator(selector)),
}
rows = []
for name, features in candidates.items():
    pipe = make_pipeline(features, LogisticRegression(max_iter=1000))
    pipe.fit(X_train, y_train)
    rows.append(
        {
            "features": name,
            "test AUC": roc_auc_score(y_test, pipe.predict_proba(X_test)[:, 1]),
            "n_features": pipe[0].transform(X_test.iloc[:1]).shape[1],
        }
    )
results = pd.DataFrame(rows).set_index("features")
print(results.round(4).to_string())

# %%
# The selected crosses give the best AUC with a fraction of the features: the
# all-pairs model spends most of its weights on crosses that carry no signal.
fig, (ax_auc, ax_n) = plt.subplots(1, 2, figsize=(9, 3.2))
colors = ["tab:gray", "tab:blue", "tab:green"]
ax_auc.barh(results.index, results["test AUC"], color=colors)
ax_auc.set_xlim(0.5, 1.0)
ax_auc.set_xlabel("test AUC")
ax_n.barh(results.index, results["n_features"], color=colors)
ax_n.set_xscale("log")
ax_n.set_xlabel("number of features (log scale)")
ax_n.set_yticks([])
fig.suptitle("Logistic regression with and without interaction features")
fig.tight_layout()
plt.show()
