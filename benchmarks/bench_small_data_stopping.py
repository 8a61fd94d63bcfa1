"""Early stopping on small data: test AUC and epochs of the default models.

Each model is fitted with its defaults (``Model(random_state=seed)``, one torch
thread) on the first 2,000 of 3,000 rows of two synthetic sets and scored on the
last 1,000: ``vector`` (``make_vector_field_classification``, the signal in a
vector field's direction, given as ``vector_features``) and ``interaction``
(``make_interaction_classification``, planted pairs). With so few rows an epoch
is a handful of steps, and the validation value can stall for a few epochs
before the interactions are learnt; the output shows whether a fit stopped
early there (few epochs, low AUC).

Run with ``python -m benchmarks.bench_small_data_stopping [--seeds 4]``.
"""

import argparse

import torch
from sklearn.metrics import roc_auc_score

from skfeat.datasets import (
    make_interaction_classification,
    make_vector_field_classification,
)
from skfeat.models import (
    AutoIntClassifier,
    DCNClassifier,
    DeepFMClassifier,
    DNNClassifier,
    FMClassifier,
    WideDeepClassifier,
)

MODELS = [
    FMClassifier,
    DeepFMClassifier,
    DNNClassifier,
    DCNClassifier,
    WideDeepClassifier,
    AutoIntClassifier,
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=4)
    args = parser.parse_args()
    torch.set_num_threads(1)
    X, y, truth = make_vector_field_classification(
        n_samples=3000, vector_dim=8, n_fields=1, random_state=2
    )
    X2, y2, _ = make_interaction_classification(n_samples=3000, random_state=0)
    sets = {
        "vector": (X, y, {"vector_features": truth.vector_features}),
        "interaction": (X2, y2, {}),
    }
    print("data | model | test AUC (epochs) for seeds 0..", args.seeds - 1)
    for name, (X_all, y_all, params) in sets.items():
        for Model in MODELS:
            cells = []
            for seed in range(args.seeds):
                clf = Model(random_state=seed, **params)
                clf.fit(X_all.iloc[:2000], y_all[:2000])
                proba = clf.predict_proba(X_all.iloc[2000:])[:, 1]
                auc = roc_auc_score(y_all[2000:], proba)
                cells.append(f"{auc:.3f} ({clf.n_iter_})")
            print(f"| {name} | {Model.__name__} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
