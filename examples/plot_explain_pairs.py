"""
==============================================================
Plots for feature pairs, through a preprocessing pipeline
==============================================================

shap's plots show one number per row and column; SHAP *interaction* values have
one per row and *pair* of columns. :mod:`skfeat.explain` adds three plots for
them: the top pairs as bars, one pair's values against its two columns, and a
beeswarm of the top pairs.

The model is a factorization machine at the end of a scikit-learn ``Pipeline``
whose ``ColumnTransformer`` encodes each column on its own (one-hot or ordinal
codes). Such preprocessing keeps the explanation exact: the explainer plays each
raw column, with its whole one-hot block, as one player, and shows raw column
names and values.

The data are Frappe_x1 (app usage in context, 10 categorical fields) when the
``SKFEAT_DATA`` environment variable points at it, else synthetic data with
planted pairs from :func:`skfeat.datasets.make_interaction_classification`.
"""

# %%
# Data
# ----
import matplotlib

matplotlib.use("Agg")  # draw off-screen when run as a script or by sphinx-gallery

import matplotlib.pyplot as plt
import torch
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from skfeat.datasets import load_frappe, make_interaction_classification
from skfeat.explain import (
    InteractionExplainer,
    plot_interaction_bar,
    plot_interaction_beeswarm,
    plot_interaction_dependence,
    rank_interactions,
)
from skfeat.models import DeepFMClassifier, FMClassifier

torch.set_num_threads(1)  # small models: one thread is fastest on a small CPU

try:
    frappe = load_frappe()
    X, y = frappe.train.X.iloc[:40_000], frappe.train.y[:40_000]
    X_test = frappe.valid.X
    source = "Frappe_x1"
except FileNotFoundError:
    X_all, y_all, truth = make_interaction_classification(
        n_samples=24_000, n_fields=8, cardinality=12, random_state=0
    )
    X, y, X_test = X_all.iloc[:20_000], y_all[:20_000], X_all.iloc[20_000:]
    source = f"synthetic, planted pairs {truth.pairs}"
print("data:", source)

# columns with few values are one-hot encoded, the others get ordinal codes
small = [c for c in X.columns if X[c].nunique() <= 12]
large = [c for c in X.columns if c not in small]
print("one-hot:", small, "| ordinal:", large)

# %%
# A pipeline ending in an FM
# --------------------------
# ``set_output(transform="pandas")`` keeps the encoded column names, so the FM
# can be told which columns are category codes.
prep = ColumnTransformer(
    [
        (
            "ids",
            OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
            large,
        ),
        ("ctx", OneHotEncoder(sparse_output=False, handle_unknown="ignore"), small),
    ]
).set_output(transform="pandas")
fm = FMClassifier(
    embed_dim=8,
    batch_size=1024,
    learning_rate=0.01,
    max_epochs=3,
    categorical_features=[f"ids__{c}" for c in large] or None,
    random_state=0,
)
pipe = Pipeline([("prep", prep), ("fm", fm)]).fit(X, y)

# %%
# Exact interaction values of the raw columns
# -------------------------------------------
explainer = InteractionExplainer(pipe, X.iloc[:1000])
print("method:", explainer.method_)
interactions = explainer.shap_interaction_values(X_test.iloc[:500])
print("players:", interactions.feature_names)
print(rank_interactions(interactions).head(5).to_string(index=False))

# %%
# Top pairs
# ---------
# Bar length: the mean absolute interaction value of the pair over the rows.
plot_interaction_bar(interactions, max_display=10)
plt.tight_layout()
plt.show()

# %%
# Beeswarm of the top pairs
# -------------------------
# One point per explained row, coloured by the value of the pair's first column.
plot_interaction_beeswarm(interactions, max_display=8)
plt.tight_layout()
plt.show()

# %%
# One pair against its two columns
# --------------------------------
# The top pair's value for each row, against the first column's value (category
# names on the axis), coloured by the second column's.
top = rank_interactions(interactions).iloc[0]
plot_interaction_dependence(interactions, top.feature_a, top.feature_b)
plt.tight_layout()
plt.show()

# %%
# shap's conventions
# ------------------
# The result is a ``shap.Explanation``; it can be sliced by two column names,
# giving one pair's values for every row with the first column's data.
pair = interactions[:, top.feature_a, top.feature_b]
print(pair.values.shape, pair.feature_names)

# %%
# Error bars for sampled values
# -----------------------------
# A DeepFM has an MLP on top of its FM part: the FM part is explained in closed
# form and the MLP part by the regression estimator (64 of the 256 coalitions
# here), so each value has a standard error (``error_std``). The bar chart draws two standard errors of each mean.
deep = Pipeline(
    [
        ("prep", prep),
        (
            "deepfm",
            DeepFMClassifier(
                embed_dim=8,
                hidden_units=(32,),
                batch_size=1024,
                learning_rate=0.01,
                max_epochs=2,
                categorical_features=[f"ids__{c}" for c in large] or None,
                random_state=0,
            ),
        ),
    ]
).fit(X, y)
deep_explainer = InteractionExplainer(
    deep, X.iloc[:20], method="regression", budget=64, random_state=0
)
print("method:", deep_explainer.method_)
deep_interactions = deep_explainer.shap_interaction_values(X_test.iloc[:100])
plot_interaction_bar(deep_interactions, max_display=10)
plt.tight_layout()
plt.show()
