"""Grid search over skfeat pipelines with Ray (joblib's Ray backend).

Run: python examples/distributed/search_ray.py   (needs pip install skfeat[ray])

``ray.init`` here starts a local Ray with two CPUs; on a cluster, call
``ray.init(address="auto")`` on a node of the cluster instead.
"""

import os

import joblib

from skfeat.datasets import make_interaction_classification

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report

if __name__ == "__main__":
    import ray
    from ray.util.joblib import register_ray
    from search_dask import make_search  # the same FM and DeepFM search

    X, y, _ = make_interaction_classification(n_samples=2000, random_state=0)
    search = make_search(list(X.columns))
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1")
    try:
        register_ray()
        with joblib.parallel_backend("ray"):
            search.fit(X, y)
    finally:
        ray.shutdown()
    print(search.best_params_, round(search.best_score_, 4))
