"""Grid search over skfeat pipelines on a Dask cluster (joblib's Dask backend).

Run: python examples/distributed/search_dask.py   (needs pip install skfeat[dask])

Here the cluster is a LocalCluster of two worker processes on this machine; on a
real cluster, replace it with ``Client("tcp://scheduler-host:8786")``.
"""

import joblib
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from skfeat.datasets import make_interaction_classification
from skfeat.models import DeepFMClassifier, FMClassifier


def make_search(columns):
    """One search over an FM and a DeepFM pipeline."""
    prep = ColumnTransformer([("cat", OrdinalEncoder(), columns)])
    fixed = dict(categorical_features="all", max_epochs=2, random_state=0)
    pipe = Pipeline([("prep", prep), ("model", FMClassifier(**fixed))])
    grid = [
        {"model": [FMClassifier(**fixed)], "model__embed_dim": [4, 8]},
        {
            "model": [DeepFMClassifier(dropout=0.0, **fixed)],
            "model__hidden_units": [(16,)],
        },
    ]
    return GridSearchCV(pipe, grid, scoring="roc_auc", cv=2)


if __name__ == "__main__":
    from distributed import Client, LocalCluster

    X, y, _ = make_interaction_classification(n_samples=2000, random_state=0)
    search = make_search(list(X.columns))
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,  # one torch thread per worker process
        host="127.0.0.1",
        dashboard_address=None,
    )
    with cluster, Client(cluster):
        with joblib.parallel_backend("dask"):
            search.fit(X, y)
    print(search.best_params_, round(search.best_score_, 4))
