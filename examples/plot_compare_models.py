"""
========================================
Comparing FM and deep interaction models
========================================

skfeat's models are plain scikit-learn estimators, so the usual model-selection
tools apply unchanged. Here an FM, an MLP over field embeddings (DNN), Wide & Deep,
DeepFM, DCN-v2 and AutoInt+ are tuned side by side with
:class:`~sklearn.model_selection.GridSearchCV` on synthetic data with planted
pairwise interactions, and compared on held-out ROC AUC against the AUC of the
logit that generated the labels (the best any model can do).
"""

# %%
# Data with planted interactions
# ------------------------------
# Eight categorical fields; three disjoint pairs interact. ``truth.logit`` is the
# logit the labels were drawn from.
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV

from skfeat.datasets import make_interaction_classification
from skfeat.models import (
    AutoIntClassifier,
    DCNClassifier,
    DeepFMClassifier,
    DNNClassifier,
    FMClassifier,
    WideDeepClassifier,
)

X, y, truth = make_interaction_classification(
    n_samples=6000, n_fields=6, cardinality=8, interactions=2, random_state=0
)
X_train, X_test = X.iloc[:4000], X.iloc[4000:]
y_train, y_test = y[:4000], y[4000:]
oracle = roc_auc_score(y_test, truth.logit[4000:])

# %%
# Models and grids
# ----------------
# Small towers and a few epochs keep the example fast; each grid tunes one
# parameter that matters for that model.
deep = dict(
    hidden_units=(32, 16),
    dropout=0.0,
    alpha=1e-4,
    learning_rate=0.01,
    batch_size=256,
    max_epochs=8,
    early_stopping=False,
    random_state=0,
)
candidates = {
    "FM": (
        FMClassifier(
            batch_size=256, max_epochs=8, early_stopping=False, random_state=0
        ),
        {"embed_dim": [4, 8]},
    ),
    "DNN": (DNNClassifier(embed_dim=8, **deep), {"hidden_units": [(32,), (32, 16)]}),
    "Wide&Deep": (WideDeepClassifier(embed_dim=8, **deep), {"embed_dim": [4, 8]}),
    "DeepFM": (DeepFMClassifier(embed_dim=8, **deep), {"embed_dim": [4, 8]}),
    "DCNv2": (DCNClassifier(embed_dim=8, **deep), {"cross_layers": [1, 2]}),
    "AutoInt+": (
        AutoIntClassifier(embed_dim=8, attention_layers=1, attention_dim=16, **deep),
        {"num_heads": [1, 2]},
    ),
}

rows = []
for name, (model, grid) in candidates.items():
    search = GridSearchCV(model, grid, scoring="roc_auc", cv=2)
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    auc = roc_auc_score(y_test, search.decision_function(X_test))
    rows.append(
        {
            "model": name,
            "best params": search.best_params_,
            "cv AUC": round(search.best_score_, 4),
            "test AUC": round(auc, 4),
            "search seconds": round(seconds, 1),
        }
    )

results = pd.DataFrame(rows).set_index("model")
print(f"oracle test AUC (the generating logit): {oracle:.4f}")
print(results.to_string())

# %%
# Held-out AUC against the oracle
# -------------------------------
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.barh(results.index, results["test AUC"], color="tab:blue")
ax.axvline(oracle, color="black", linestyle="--", label="oracle (true logit)")
low = min(results["test AUC"].min(), oracle) - 0.02
ax.set_xlim(low, oracle + 0.01)
ax.set_xlabel("test ROC AUC")
ax.set_title("Planted interactions: models side by side")
ax.legend(loc="lower right")
fig.tight_layout()
