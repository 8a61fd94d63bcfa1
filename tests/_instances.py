"""Small, fast settings for the common checks, and the reasoned expected failures."""

from sklearn.base import is_classifier

#: Settings that make the checks fast while still fitting their toy problems.
INIT_PARAMS = {
    "max_epochs": 40,
    "batch_size": 32,
    "learning_rate": 0.05,
    "embed_dim": 4,
    "random_state": 0,
}

#: check name -> reason, for every estimator (empty means none expected).
EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "mini-batch stochastic training: weighting a row by 2 is not the same "
        "random process as repeating it (batches and the shuffle differ)"
    ),
    "check_sample_weight_equivalence_on_sparse_data": (
        "mini-batch stochastic training: weighting a row by 2 is not the same "
        "random process as repeating it (batches and the shuffle differ)"
    ),
}


def make_instance(cls):
    params = {k: v for k, v in INIT_PARAMS.items() if k in cls().get_params()}
    return cls(**params)


def expected_failed_checks(estimator):
    return dict(EXPECTED_FAILED_CHECKS)


__all__ = ["INIT_PARAMS", "expected_failed_checks", "is_classifier", "make_instance"]
