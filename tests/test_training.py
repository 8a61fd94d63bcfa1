"""The training loop's rules: early stopping at every size, scoring, the BARS loop."""

import contextlib
import io
import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback, EpochScoring

from skfeat.models import DeepFMClassifier, FMClassifier, FMRegressor

FAST = dict(embed_dim=4, learning_rate=0.05, random_state=0)


def _planted(n, seed=0):
    """Binary labels from a pairwise interaction plus noise."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    logit = 2.0 * X[:, 0] * X[:, 1] + X[:, 2]
    y = (logit + rng.logistic(size=n) > 0).astype(int)
    return X, y


def test_auto_early_stopping_is_on_at_every_size():
    for n in (60, 400):
        X, y = _planted(n)
        clf = FMClassifier(max_epochs=3, **FAST).fit(X, y)
        assert clf.do_early_stopping_
        assert clf.validation_score_.shape == (clf.n_iter_,)
    # no validation row can be split off one sample per class: no early stopping
    clf = FMClassifier(max_epochs=2, validation_fraction=0.99, **FAST)
    assert not clf.fit(*_planted(40)).do_early_stopping_


def test_grid_search_folds_and_refit_train_alike():
    # 6,000 rows: every fold (4,000 rows) and the refit (6,000) early-stop by the
    # same rule; the old rule turned it on only above 10,000 rows
    X, y = _planted(6000)
    probe = {
        "early_stopping": lambda est, X, y: float(est.do_early_stopping_),
        "auc": "roc_auc",
    }
    search = GridSearchCV(
        FMClassifier(max_epochs=4, batch_size=512, **FAST),
        {"alpha": [1e-6]},
        scoring=probe,
        refit="auc",
        cv=3,
    ).fit(X, y)
    folds = [search.cv_results_[f"split{k}_test_early_stopping"][0] for k in range(3)]
    assert folds == [1.0, 1.0, 1.0]
    assert search.best_estimator_.do_early_stopping_


def test_scoring_roc_auc_early_stops_on_auc_and_keeps_the_best():
    X, y = _planted(800)
    X_val, y_val = _planted(400, seed=1)
    clf = FMClassifier(
        scoring="roc_auc", max_epochs=30, n_iter_no_change=2, tol=0.0, **FAST
    ).fit(X, y, eval_set=(X_val, y_val))
    scores = clf.validation_score_
    assert scores.shape == (clf.n_iter_,)
    # each recorded value is the AUC of that epoch; the best epoch's weights are
    # restored, so the final AUC is the maximum recorded
    final = roc_auc_score(y_val, clf.decision_function(X_val))
    assert final == pytest.approx(scores.max(), abs=1e-12)
    assert clf.n_iter_ < 30 and clf.n_iter_ - 1 - scores.argmax() == 2
    assert final > 0.75


def test_auto_scoring_is_auc_for_binary_and_the_loss_otherwise():
    # the default of the FM and deep models (issue 13): ROC AUC for an unweighted
    # binary classifier whose validation rows hold >= 100 rows of each class,
    # else the loss
    X, y = _planted(600)
    X_val, y_val = _planted(300, seed=1)
    clf = FMClassifier(max_epochs=6, **FAST).fit(X, y, eval_set=(X_val, y_val))
    assert clf.scoring == "auto" and "valid_score" in clf.net_.history[-1]
    final = roc_auc_score(y_val, clf.decision_function(X_val))
    assert final == pytest.approx(clf.validation_score_.max(), abs=1e-12)

    def monitors_loss(est):
        loss = np.asarray(est.net_.history[:, "valid_loss"])
        return "valid_score" not in est.net_.history[-1] and np.array_equal(
            est.validation_score_, -loss
        )

    y3 = y + (X[:, 3] > 1)  # three classes
    assert monitors_loss(FMClassifier(max_epochs=2, **FAST).fit(X, y3))
    weights = np.linspace(0.5, 1.5, len(y))
    assert monitors_loss(
        FMClassifier(max_epochs=2, **FAST).fit(X, y, sample_weight=weights)
    )
    one_class = (X_val[y_val == 1], y_val[y_val == 1])
    assert monitors_loss(
        FMClassifier(max_epochs=2, **FAST).fit(X, y, eval_set=one_class)
    )
    assert monitors_loss(FMRegressor(max_epochs=2, **FAST).fit(X, X[:, 0] * X[:, 1]))
    # a 60-row validation split (about 30 rows per class): the loss
    assert monitors_loss(FMClassifier(max_epochs=2, **FAST).fit(X, y))
    counts = np.bincount(y_val)
    assert counts.min() >= 100  # the eval_set above was large enough for AUC


def test_scoring_callable_sees_the_estimator_and_the_rows_as_passed():
    X, y = _planted(300)
    X = pd.DataFrame(X, columns=list("abcd"))
    labels = np.where(y == 1, "yes", "no")
    seen = []

    def scorer(est, X_val, y_val):
        seen.append((type(est).__name__, list(X_val.columns), sorted(set(y_val))))
        return float(np.mean(est.predict(X_val) == y_val))

    clf = FMClassifier(scoring=scorer, max_epochs=3, **FAST).fit(X, labels)
    assert len(seen) == clf.n_iter_ == 3
    assert seen[0] == ("FMClassifier", list("abcd"), ["no", "yes"])
    assert len(clf.validation_score_) == 3
    # the fitted net holds no reference to the validation data
    callback = dict(clf.net_.callbacks_)["valid_score"]
    assert callback.X is None and callback.estimator is None


def test_scoring_regressor_r2_and_bad_name():
    X, y = _planted(300)
    reg = FMRegressor(scoring="r2", max_epochs=3, **FAST).fit(X, X[:, 0] * X[:, 1])
    # the R^2 of the planted product on the validation rows rises every epoch
    assert np.all(np.diff(reg.validation_score_) > 0)
    assert reg.validation_score_[-1] > 0.25
    with pytest.raises(ValueError, match=r"scoring='roc_auk' is neither 'loss'"):
        FMClassifier(scoring="roc_auk").fit(X, y)


def test_plateau_schedule_divides_the_lr_after_each_flat_epoch():
    X, y = _planted(400)
    X_val, y_val = _planted(200, seed=1)
    clf = FMClassifier(
        scoring="roc_auc",
        lr_schedule="plateau",
        early_stopping=False,
        max_epochs=12,
        **FAST,
    ).fit(X, y, eval_set=(X_val, y_val))
    scores = clf.validation_score_
    best, flat = -np.inf, 0
    for s in scores:
        if s > best + 1e-6:  # torch's abs threshold: improvement over best + 1e-6
            best = s
        else:
            flat += 1
    assert flat >= 1  # the test needs at least one plateau epoch
    expected = max(0.05 * 0.1**flat, 1e-6)
    lr = clf.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(expected, rel=1e-9)


def test_clip_grad_norm_bounds_each_sgd_step():
    X, y = _planted(256)
    params = dict(
        optimizer="sgd",
        learning_rate=1.0,
        alpha=0.0,
        batch_size=256,
        max_epochs=1,
        early_stopping=False,
        embed_dim=4,
        random_state=0,
    )
    before = FMClassifier(**{**params, "learning_rate": 1e-12})
    before.fit(X, y)  # (almost) the initial weights of the same seed
    w0 = torch.cat([p.detach().flatten() for p in before.net_.module_.parameters()])

    def step(clip):
        clf = FMClassifier(clip_grad_norm=clip, **params).fit(X, y)
        w = torch.cat([p.detach().flatten() for p in clf.net_.module_.parameters()])
        return float((w - w0).norm())

    assert step(1e-3) <= 1e-3 * (1 + 1e-4)  # one SGD step of lr 1 x clipped grad
    assert step(None) > 1e-2  # the unclipped step is much longer


def test_clip_grad_norm_with_sparse_gradients_equals_the_dense_clip():
    # clipping is a default of FM now; torch's clip_grad_norm_ has no sparse
    # kernel, so sparse embedding gradients are clipped by their own path
    rng = np.random.RandomState(0)
    X = rng.randint(0, 50, size=(512, 3))
    y = (X[:, 0] % 2 == X[:, 1] % 2).astype(int)
    params = dict(
        categorical_features="all",
        optimizer="sgd",
        learning_rate=1.0,
        alpha=0.0,
        batch_size=512,
        max_epochs=1,
        early_stopping=False,
        embed_dim=4,
        random_state=0,
    )

    def weights(**kw):
        clf = FMClassifier(**params, **kw).fit(X, y)
        return torch.cat([p.detach().flatten() for p in clf.net_.module_.parameters()])

    sparse = weights(sparse_gradients=True, clip_grad_norm=1e-3)
    dense = weights(sparse_gradients=False, clip_grad_norm=1e-3)
    torch.testing.assert_close(sparse, dense, rtol=0, atol=1e-7)
    assert (
        float((weights(sparse_gradients=False, clip_grad_norm=None) - dense).norm())
        > 1e-2
    )


def test_epoch_scoring_with_a_scorer_name_works_as_user_callback():
    X, y = _planted(400)
    X_val, y_val = _planted(200, seed=1)
    clf = FMClassifier(
        callbacks=[EpochScoring("roc_auc", lower_is_better=False)],
        early_stopping=False,
        max_epochs=2,
        **FAST,
    ).fit(X, y, eval_set=(X_val, y_val))
    auc = roc_auc_score(y_val, clf.decision_function(X_val))
    assert clf.net_.history[-1, "roc_auc"] == pytest.approx(auc, abs=1e-12)


def test_epoch_scoring_multiclass_accuracy():
    X, y = _planted(300)
    y3 = y + (X[:, 3] > 1)
    clf = FMClassifier(
        callbacks=[EpochScoring("accuracy", lower_is_better=False)],
        max_epochs=2,
        **FAST,
    ).fit(X, y3)
    # the three classes' shares are 0.41, 0.50, 0.09: above the majority class
    assert clf.net_.history[-1, "accuracy"] > 0.6


def test_verbose_table_prints_the_epoch_it_stops_on():
    X, y = _planted(300)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        clf = FMClassifier(
            verbose=1, max_epochs=50, n_iter_no_change=1, tol=0.5, **FAST
        ).fit(X, y)
    assert clf.n_iter_ < 50
    epochs = [int(m) for m in re.findall(r"^\s+(\d+)\s", out.getvalue(), re.M)]
    assert epochs[-1] == clf.n_iter_
    assert "Stopping since valid_loss has not improved" in out.getvalue()


@pytest.mark.parametrize("cls", [FMClassifier, DeepFMClassifier])
def test_misspelt_parameter_names_the_public_class(cls):
    name = cls.__name__
    with pytest.raises(TypeError, match=rf"^{name}\.__init__\(\) got an unexpected"):
        cls(alpah=1.0)


def test_user_callbacks_run_alongside_the_built_in_loop():
    seen = []

    class Spy(Callback):
        def on_epoch_end(self, net, **kwargs):
            seen.append(net.optimizer_.param_groups[0]["lr"])

    X, y = _planted(300)
    FMClassifier(
        callbacks=[Spy()],
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        max_epochs=3,
        **FAST,
    ).fit(X, y)
    assert len(seen) >= 1 and seen[0] == pytest.approx(0.05)


def test_integer_id_columns_are_read_as_codes_and_shown():
    rng = np.random.RandomState(0)
    n = 2000
    X = pd.DataFrame(
        {
            "user": rng.randint(0, 50, n),  # ids: each repeats ~40 times
            "amount": rng.randint(0, 10**6, n),  # many distinct: a measurement
            "ratio": rng.normal(size=n),
            "city": pd.Categorical(rng.choice(list("abc"), n)),
        }
    )
    effect = rng.normal(size=50) * 2
    y = (effect[X["user"]] + rng.logistic(size=n) > 0).astype(int)
    clf = FMClassifier(max_epochs=5, **FAST).fit(X, y)
    assert clf.feature_kinds_.tolist() == [
        "integer codes",
        "numeric",
        "numeric",
        "categorical",
    ]
    assert clf.is_categorical_.tolist() == [True, False, False, True]
    # an arbitrary id order has no slope: as codes, the per-user effect is learnt
    auc = roc_auc_score(y, clf.predict_proba(X)[:, 1])
    as_numbers = FMClassifier(max_epochs=5, categorical_features=[3], **FAST)
    auc_numbers = roc_auc_score(y, as_numbers.fit(X, y).predict_proba(X)[:, 1])
    assert auc > 0.8 > auc_numbers + 0.05


def test_numeric_bins_fit_a_non_monotone_effect():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 3))
    y = (X[:, 0] ** 2 > 1).astype(int)  # U-shaped: no single slope fits it
    binned = FMClassifier(numeric_bins=16, max_epochs=30, **FAST).fit(X, y)
    linear = FMClassifier(max_epochs=30, **FAST).fit(X, y)
    assert binned.feature_kinds_.tolist() == ["binned numeric"] * 3
    assert binned.score(X, y) > 0.9 > linear.score(X, y) + 0.1
    # missing values get the missing id; unseen extremes fall in the end bins
    X_new = np.array([[np.nan, 0.0, 0.0], [1e9, -1e9, 0.0]])
    assert np.isfinite(binned.predict_proba(X_new)).all()


def test_row_by_row_encoding_equals_the_batch_encoding():
    rng = np.random.RandomState(0)
    n = 500
    X = pd.DataFrame(
        {
            "a": pd.Categorical(
                rng.choice(["x", "y", "z", "rare"], n, p=[0.4, 0.3, 0.29, 0.01])
            ),
            "b": rng.choice(["p", "q", None], n).astype(object),
            "c": rng.normal(size=n),
            "d": rng.randint(0, 20, n),
        }
    )
    X.loc[3, "c"] = np.nan
    y = rng.randint(0, 2, n)
    clf = FMClassifier(max_epochs=1, min_frequency=10, **FAST).fit(X, y)
    rows = pd.concat([X.iloc[:40], X.iloc[:2]]).reset_index(drop=True)
    rows.loc[40, "b"] = "never seen"
    rows.loc[41, "d"] = 999
    rows["a"] = rows["a"].astype(object)
    rows.loc[41, "a"] = np.nan
    full = clf._encode(rows)
    single = [clf._encode(rows.iloc[[i]]) for i in range(len(rows))]
    np.testing.assert_array_equal(np.vstack([s["cat"] for s in single]), full["cat"])
    np.testing.assert_array_equal(np.vstack([s["num"] for s in single]), full["num"])
    assert full["cat"][40, 1] == clf.unknown_id  # "never seen"
    # one row at a time gives the batch's probabilities
    one = np.vstack([clf.predict_proba(rows.iloc[[i]]) for i in range(42)])
    np.testing.assert_allclose(one, clf.predict_proba(rows), rtol=0, atol=1e-6)


def test_early_stopping_never_ends_a_fit_before_epoch_5():
    # no epoch after the first counts as a gain (tol 0.9 relative), patience 1:
    # skorch's rule alone would stop after epoch 2
    X, y = _planted(400)
    clf = FMClassifier(
        max_epochs=30, n_iter_no_change=1, tol=0.9, scoring="loss", **FAST
    ).fit(X, y)
    assert clf.n_iter_ == 5
    # a fit whose value stalls late stops by patience as before
    clf = FMClassifier(
        max_epochs=30, n_iter_no_change=2, tol=0.0, scoring="loss", **FAST
    ).fit(X, y)
    assert clf.n_iter_ > 5


def test_a_stall_in_the_first_epochs_does_not_end_a_deep_fit():
    # 2,000 rows whose signal lives in a vector field: before the minimum epoch
    # rule the default DNN stopped after 3 epochs at AUC 0.53-0.60 for these
    # seeds (validation loss flat while the vector's effect is learnt)
    from skfeat.datasets import make_vector_field_classification
    from skfeat.models import DNNClassifier

    X, y, truth = make_vector_field_classification(
        n_samples=3000, vector_dim=8, n_fields=1, random_state=2
    )
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for seed in (0, 2):
            clf = DNNClassifier(
                random_state=seed, vector_features=truth.vector_features
            ).fit(X.iloc[:2000], y[:2000])
            auc = roc_auc_score(y[2000:], clf.predict_proba(X.iloc[2000:])[:, 1])
            assert clf.n_iter_ > 5 and auc > 0.8, (seed, clf.n_iter_, auc)
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("scoring", ["auto", "loss", "roc_auc"])
def test_partial_fit_after_fit_trains_one_epoch_without_validation(scoring):
    # fit() leaves a net whose callbacks read the validation rows (early stopping,
    # the scorer, a plateau schedule on them); partial_fit used to crash there
    # (the scorer's estimator was gone) or run them on stale validation rows
    X, y = _planted(3000)
    clf = FMClassifier(max_epochs=6, scoring=scoring, **FAST).fit(X, y)
    fitted = clf.n_iter_
    lr = clf.net_.optimizer_.param_groups[0]["lr"]
    before = clf.decision_function(X[:5])
    clf.partial_fit(X, y).partial_fit(X, y)
    assert clf.n_iter_ == fitted + 2
    assert "valid_loss" not in clf.net_.history[-1]
    assert "valid_score" not in clf.net_.history[-1]
    # continues from the fitted state, at the learning rate the fit ended with
    assert clf.net_.optimizer_.param_groups[0]["lr"] <= lr
    assert not np.array_equal(clf.decision_function(X[:5]), before)
    assert clf.validation_score_.shape == (fitted,)
    assert roc_auc_score(y, clf.predict_proba(X)[:, 1]) > 0.8


def test_a_fitted_model_does_not_keep_its_validation_rows():
    import pickle

    X, y = _planted(6000)
    with_holdout = FMClassifier(max_epochs=2, **FAST).fit(X, y)
    assert with_holdout.do_early_stopping_
    assert with_holdout.net_.train_split is None
    without = FMClassifier(max_epochs=2, early_stopping=False, **FAST).fit(X, y)
    # 600 validation rows of 4 float32 columns would add about 10 kB
    assert len(pickle.dumps(with_holdout)) < len(pickle.dumps(without)) + 2_000


def test_verbose_table_keeps_lr_on_the_stopping_epoch_and_explains_the_count():
    # issue 24, item 11: the stopping row lost its lr (its columns shifted) and
    # the message counted more epochs than n_iter_no_change without saying why
    from skfeat.datasets import make_interaction_classification

    X, y, _ = make_interaction_classification(600, 6, random_state=0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        clf = FMClassifier(
            max_epochs=40, n_iter_no_change=2, lr_schedule="plateau", verbose=1,
            random_state=0, learning_rate=0.05,
        ).fit(X, y)  # fmt: skip
    assert clf.n_iter_ < 40
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    header = next(line for line in text.splitlines() if "epoch" in line).split()
    rows = [line.split() for line in text.splitlines() if re.match(r"^\s+\d+\s", line)]
    assert header[-2:] == ["lr", "dur"]
    assert all(len(row) == len(header) for row in rows)
    misses = int(re.search(r"in the last (\d+) epochs", text).group(1))
    assert misses > 2
    assert "(n_iter_no_change=2; early stopping waits for epoch 5)" in text
