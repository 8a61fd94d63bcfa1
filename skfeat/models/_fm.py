"""Factorization machines: FM and field-weighted FM, as classifiers and regressors.

Most of its lines are the written-out docstrings of its four public classes.
"""

from numbers import Integral

import numpy as np
import torch
from sklearn.base import ClassifierMixin, RegressorMixin

from skfeat.models._base import (
    BaseFieldModel,
    FieldClassifierMixin,
    FieldRegressorMixin,
)
from skfeat.models._decomposition import _Decomposable
from skfeat.models._docstring import fill_doc
from skfeat.models._fields import UNKNOWN_ID
from skfeat.nn import FM, FwFM, SparseFM
from skfeat.utils._sklearn_compat import Interval, StrOptions
from skfeat.utils._validation import MAX_HASH_BUCKETS, IntInRange


class _FMFamily(_Decomposable, BaseFieldModel):
    """Parameters, decomposition and module building shared by FM and FwFM."""

    _parameter_constraints = {
        **BaseFieldModel._parameter_constraints,
        "embed_dim": [Interval(Integral, 1, None, closed="left")],
        "sparse_gradients": ["boolean", StrOptions({"auto"})],
        "categorical_encoding": [StrOptions({"vocabulary", "hash"})],
        "hash_buckets": [IntInRange(1, MAX_HASH_BUCKETS)],
    }

    def __init__(
        self,
        *,
        sparse_gradients,
        categorical_encoding,
        hash_buckets,
        scoring,
        lr_schedule,
        clip_grad_norm,
        numeric_bins,
        **params,
    ):
        super().__init__(**params)
        self.sparse_gradients = sparse_gradients
        self.categorical_encoding = categorical_encoding
        self.hash_buckets = hash_buckets
        self.scoring = scoring
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm
        self.numeric_bins = numeric_bins


    def _check_bag_pooling(self, schema):
        """Refuse target attention: it makes a bag's embedding depend on its
        target's value, and the family's closed forms need each field's
        embedding to depend on its own values only."""
        if not schema.n_bags:
            return
        fields = np.asarray(schema.order)[-schema.n_bags :]
        for (_, pooling, _, _), field in zip(schema.bag_specs, fields, strict=True):
            if pooling == "attention":
                raise ValueError(
                    f"{type(self).__name__} cannot pool multi-value column "
                    f"{schema.names[field]!r} by attention: in the FM family each "
                    "field's embedding depends on its own values only (which keeps "
                    "the model a factorization machine and its explanations exact). "
                    "Use pooling 'mean', 'sum' or 'max', or a deep model (DNN, "
                    "DeepFM, DCN, ...) for target attention."
                )


class _FMBase(_FMFamily):
    _accepts_sparse = True

    def _build_module(self, schema, n_outputs):
        self._check_bag_pooling(schema)
        return FM(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            zero_ids=(UNKNOWN_ID,),
            vector_dims=schema.vector_dims,
            bags=schema.bag_specs,
            bag_cardinalities=schema.own_bag_cardinalities,
            sparse=getattr(self, "_sparse_gradients_", False),
        )

    def _build_sparse_module(self, n_features, n_outputs):
        return SparseFM(
            n_features,
            self.embed_dim,
            n_outputs=n_outputs,
            sparse=getattr(self, "_sparse_gradients_", False),
        )

    def _module_terms(self, module, data, c):
        linear, emb = module.field_terms(
            data["cat"], data["num"], data.get("vec"), data.get("bag")
        )
        m = linear.shape[1]
        weights = torch.ones(m, m) - torch.eye(m)
        return linear[:, :, c], emb[:, :, c, :], weights, module.bias[c], None


class _FwFMBase(_FMFamily):
    _parameter_constraints = {
        **_FMFamily._parameter_constraints,
        "linear_terms": [StrOptions({"embedded", "per_feature", "per_field"})],
    }

    def __init__(self, *, linear_terms, **params):
        super().__init__(**params)
        self.linear_terms = linear_terms

    def _build_module(self, schema, n_outputs):
        self._check_bag_pooling(schema)
        return FwFM(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            linear_terms=self.linear_terms,
            zero_ids=(UNKNOWN_ID,),
            vector_dims=schema.vector_dims,
            bags=schema.bag_specs,
            bag_cardinalities=schema.own_bag_cardinalities,
            sparse=getattr(self, "_sparse_gradients_", False),
        )

    def _module_terms(self, module, data, c):
        linear, emb = module.field_terms(
            data["cat"], data["num"], data.get("vec"), data.get("bag")
        )
        weights = module.pair_weight_matrix()[c]
        return linear[:, :, c], emb, weights, module.bias[c], None


@fill_doc
class FMClassifier(FieldClassifierMixin, ClassifierMixin, _FMBase):
    """Factorization machine classifier (binary and multiclass).

    The model is ``logit = b + sum_i w(x_i) + sum_{i<j} <v(x_i), v(x_j)>``
    (Rendle, ICDM 2010): a bias, a first-order weight per feature and a
    rank-``embed_dim`` factorised weight for every pair of fields, computed in
    O(fields x embed_dim) per row.

    Input is a DataFrame or array with one column per field (categorical or
    numeric), or a scipy sparse matrix of libFM-style rows where every column
    is a feature with a value (used as given, not standardised).

    By default the model trains with the loop of the BARS benchmark records
    (FuxiCTR's): early stopping on validation ROC AUC for binary targets with a
    patience of 2 epochs, the learning rate divided by 10 after every epoch
    without improvement, and gradient norms clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=10
        Size of the factors (embeddings), at least 1.
    alpha : float, default=1e-6
        L2 penalty ``alpha / 2 * ||W||^2`` on the embedding and weight tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay.
    learning_rate : float, default=0.01
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping, in (0, 1).
    n_iter_no_change : int, default=2
        Patience of early stopping, in epochs.
    tol : float, default=1e-6
        Least improvement of the monitored value that counts: relative for
        ``scoring="loss"``, absolute for a scorer.
    {categorical_features}
    {min_frequency}
    {random_state}
    {verbose}
    {device}
    {callbacks}
    {net_params}
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
    scoring : str or callable, default="auto"
        What early stopping and ``lr_schedule`` monitor on the validation data:
        ``"loss"`` (the model's loss), ``"auto"`` (``"roc_auc"`` for binary
        targets fitted without ``sample_weight`` whose validation data holds at
        least 100 rows of each class, else ``"loss"``), a scikit-learn scorer
        name such as ``"roc_auc"`` or ``"neg_log_loss"``, or a callable
        ``scorer(estimator, X_val, y_val)``. Higher scores are better.
    lr_schedule : {"plateau"} or None, default="plateau"
        ``"plateau"``: divide the learning rate by 10 after every epoch whose
        monitored value does not improve by more than 1e-6, down to 1e-6
        (without validation data it watches the training loss). ``None``: a
        constant learning rate.
    clip_grad_norm : float or None, default=10.0
        Clip the total gradient norm to this positive value before every step;
        ``None`` does not clip.
    {numeric_bins}
    {vector_features}
    {multi_value_features}

    Attributes
    ----------
    {classes_}
    {net_}
    {n_iter_}
    {do_early_stopping_}
    {validation_score_}
    {is_categorical_}
    {feature_kinds_}
    {schema_}
    {n_features_in_}
    {feature_names_in_}

    See Also
    --------
    FMRegressor : Factorization machine regressor.
    FwFMClassifier : Factorization machine with a learned weight per field pair.

    Notes
    -----
    ``decompose(X)`` returns the model's exact second-order decomposition, which
    :mod:`skfeat.explain` turns into exact SHAP and SHAP interaction values.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FMClassifier
    >>> X, y, truth = make_interaction_classification(n_samples=2000, random_state=0)
    >>> clf = FMClassifier(embed_dim=8, max_epochs=10, random_state=0).fit(X, y)
    >>> clf.predict_proba(X.iloc[:2]).shape
    (2, 2)
    >>> round(clf.score(X, y), 2) > 0.6
    True

    A vector field (say a text embedding in columns ``text_0``, ``text_1``...)
    is one field of the model and one player of its explanations:

    >>> from skfeat.datasets import make_vector_field_classification
    >>> X, y, truth = make_vector_field_classification(
    ...     n_samples=2000, vector_dim=8, random_state=0)
    >>> truth.vector_features["text"][:3]
    ['text_0', 'text_1', 'text_2']
    >>> clf = FMClassifier(embed_dim=8, max_epochs=10, random_state=0,
    ...                    vector_features=truth.vector_features).fit(X, y)
    >>> clf.schema_.names
    ['category', 'f0', 'f1', 'f2', 'text']
    """

    def __init__(
        self,
        embed_dim=10,
        *,
        alpha=1e-6,
        learning_rate=0.01,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            alpha=alpha,
            learning_rate=learning_rate,
            optimizer=optimizer,
            batch_size=batch_size,
            max_epochs=max_epochs,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            categorical_features=categorical_features,
            min_frequency=min_frequency,
            random_state=random_state,
            verbose=verbose,
            device=device,
            callbacks=callbacks,
            net_params=net_params,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class FMRegressor(FieldRegressorMixin, RegressorMixin, _FMBase):
    """Factorization machine regressor.

    The model is ``y = b + sum_i w(x_i) + sum_{i<j} <v(x_i), v(x_j)>``
    (Rendle, ICDM 2010): a bias, a first-order weight per feature and a
    rank-``embed_dim`` factorised weight for every pair of fields, computed in
    O(fields x embed_dim) per row. The target is standardised for training and
    predictions are mapped back to its units.

    Input is a DataFrame or array with one column per field (categorical or
    numeric), or a scipy sparse matrix of libFM-style rows where every column
    is a feature with a value (used as given, not standardised).

    By default the model trains with the loop of the BARS benchmark records
    (FuxiCTR's): early stopping on the validation loss with a patience of 2
    epochs, the learning rate divided by 10 after every epoch without
    improvement, and gradient norms clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=10
        Size of the factors (embeddings), at least 1.
    alpha : float, default=1e-6
        L2 penalty ``alpha / 2 * ||W||^2`` on the embedding and weight tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay.
    learning_rate : float, default=0.01
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping, in (0, 1).
    n_iter_no_change : int, default=2
        Patience of early stopping, in epochs.
    tol : float, default=1e-6
        Least improvement of the monitored value that counts: relative for
        ``scoring="loss"``, absolute for a scorer.
    {categorical_features}
    {min_frequency}
    {random_state}
    {verbose}
    {device}
    {callbacks}
    {net_params}
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
    scoring : str or callable, default="auto"
        What early stopping and ``lr_schedule`` monitor on the validation data:
        ``"loss"`` or ``"auto"`` (both the model's loss, the squared error of
        the standardised target), a scikit-learn scorer name such as ``"r2"``,
        or a callable ``scorer(estimator, X_val, y_val)``. Higher scores are
        better.
    lr_schedule : {"plateau"} or None, default="plateau"
        ``"plateau"``: divide the learning rate by 10 after every epoch whose
        monitored value does not improve by more than 1e-6, down to 1e-6
        (without validation data it watches the training loss). ``None``: a
        constant learning rate.
    clip_grad_norm : float or None, default=10.0
        Clip the total gradient norm to this positive value before every step;
        ``None`` does not clip.
    {numeric_bins}
    {vector_features}
    {multi_value_features}

    Attributes
    ----------
    {net_}
    {n_iter_}
    {do_early_stopping_}
    {validation_score_}
    {is_categorical_}
    {feature_kinds_}
    {schema_}
    {n_features_in_}
    {feature_names_in_}

    See Also
    --------
    FMClassifier : Factorization machine classifier.
    FwFMRegressor : Factorization machine with a learned weight per field pair.

    Notes
    -----
    ``decompose(X)`` returns the model's exact second-order decomposition, which
    :mod:`skfeat.explain` turns into exact SHAP and SHAP interaction values.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import FMRegressor
    >>> X, y, truth = make_interaction_regression(n_samples=2000, random_state=0)
    >>> reg = FMRegressor(embed_dim=8, max_epochs=20, random_state=0).fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    >>> reg.score(X, y) > 0.5
    True
    """

    def __init__(
        self,
        embed_dim=10,
        *,
        alpha=1e-6,
        learning_rate=0.01,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            alpha=alpha,
            learning_rate=learning_rate,
            optimizer=optimizer,
            batch_size=batch_size,
            max_epochs=max_epochs,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            categorical_features=categorical_features,
            min_frequency=min_frequency,
            random_state=random_state,
            verbose=verbose,
            device=device,
            callbacks=callbacks,
            net_params=net_params,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class FwFMClassifier(FieldClassifierMixin, ClassifierMixin, _FwFMBase):
    """Field-weighted factorization machine classifier.

    The model is ``logit = b + sum_i g(x_i) + sum_{i<j} r_ij <v(x_i), v(x_j)>``
    (Pan et al., WWW 2018): a factorization machine whose pair terms are
    weighted by a learned ``r_ij`` per pair of fields, with FFM-level accuracy
    at FM cost. It needs field-structured input (a DataFrame or dense array,
    one column per field); sparse input raises a ``TypeError``.

    By default the model trains with the loop of the BARS benchmark records
    (FuxiCTR's): early stopping on validation ROC AUC for binary targets with a
    patience of 2 epochs, the learning rate divided by 10 after every epoch
    without improvement, and gradient norms clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=10
        Size of the embeddings, at least 1.
    linear_terms : {"embedded", "per_feature", "per_field"}, default="embedded"
        First-order terms ``g``: ``"embedded"`` is ``<w_id, v_id>`` with a
        learned vector per id (the paper's FeLV); ``"per_feature"`` a scalar
        weight per id (LW); ``"per_field"`` ``<w_field, v_id>`` (FiLV).
    alpha : float, default=1e-5
        L2 penalty ``alpha / 2 * ||W||^2`` on all weights but the bias,
        non-negative, applied through the optimizer's weight decay. The default
        was measured on three data sets with this training loop; see
        :doc:`/benchmarks_archive`, "FwFM takes the loop".
    learning_rate : float, default=0.01
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping, in (0, 1).
    n_iter_no_change : int, default=2
        Patience of early stopping, in epochs.
    tol : float, default=1e-6
        Least improvement of the monitored value that counts: relative for
        ``scoring="loss"``, absolute for a scorer.
    {categorical_features}
    {min_frequency}
    {random_state}
    {verbose}
    {device}
    {callbacks}
    {net_params}
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
    scoring : str or callable, default="auto"
        What early stopping and ``lr_schedule`` monitor on the validation data:
        ``"loss"`` (the model's loss), ``"auto"`` (``"roc_auc"`` for binary
        targets fitted without ``sample_weight`` whose validation data holds at
        least 100 rows of each class, else ``"loss"``), a scikit-learn scorer
        name such as ``"roc_auc"`` or ``"neg_log_loss"``, or a callable
        ``scorer(estimator, X_val, y_val)``. Higher scores are better.
    lr_schedule : {"plateau"} or None, default="plateau"
        ``"plateau"``: divide the learning rate by 10 after every epoch whose
        monitored value does not improve by more than 1e-6, down to 1e-6
        (without validation data it watches the training loss). ``None``: a
        constant learning rate.
    clip_grad_norm : float or None, default=10.0
        Clip the total gradient norm to this positive value before every step;
        ``None`` does not clip.
    {numeric_bins}
    {vector_features}
    {multi_value_features}

    Attributes
    ----------
    {classes_}
    {net_}
    {n_iter_}
    {do_early_stopping_}
    {validation_score_}
    {is_categorical_}
    {feature_kinds_}
    {schema_}
    {n_features_in_}
    {feature_names_in_}

    See Also
    --------
    FMClassifier : Factorization machine classifier, the same pair weight for all.
    FwFMRegressor : Field-weighted factorization machine regressor.

    Notes
    -----
    ``decompose(X)`` returns the model's exact second-order decomposition, with
    the learned ``r_ij`` as ``pair_weights``.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FwFMClassifier
    >>> X, y, truth = make_interaction_classification(n_samples=2000, random_state=0)
    >>> clf = FwFMClassifier(max_epochs=10, random_state=0).fit(X, y)
    >>> clf.decompose(X.iloc[:5]).pair_weights.shape
    (8, 8)
    """

    def __init__(
        self,
        embed_dim=10,
        *,
        linear_terms="embedded",
        alpha=1e-5,
        learning_rate=0.01,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            linear_terms=linear_terms,
            alpha=alpha,
            learning_rate=learning_rate,
            optimizer=optimizer,
            batch_size=batch_size,
            max_epochs=max_epochs,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            categorical_features=categorical_features,
            min_frequency=min_frequency,
            random_state=random_state,
            verbose=verbose,
            device=device,
            callbacks=callbacks,
            net_params=net_params,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class FwFMRegressor(FieldRegressorMixin, RegressorMixin, _FwFMBase):
    """Field-weighted factorization machine regressor.

    The model is ``y = b + sum_i g(x_i) + sum_{i<j} r_ij <v(x_i), v(x_j)>``
    (Pan et al., WWW 2018): a factorization machine whose pair terms are
    weighted by a learned ``r_ij`` per pair of fields. The target is
    standardised for training and predictions are mapped back to its units. It
    needs field-structured input (a DataFrame or dense array, one column per
    field); sparse input raises a ``TypeError``.

    By default the model trains with the loop of the BARS benchmark records
    (FuxiCTR's): early stopping on the validation loss with a patience of 2
    epochs, the learning rate divided by 10 after every epoch without
    improvement, and gradient norms clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=10
        Size of the embeddings, at least 1.
    linear_terms : {"embedded", "per_feature", "per_field"}, default="embedded"
        First-order terms ``g``: ``"embedded"`` is ``<w_id, v_id>`` with a
        learned vector per id (the paper's FeLV); ``"per_feature"`` a scalar
        weight per id (LW); ``"per_field"`` ``<w_field, v_id>`` (FiLV).
    alpha : float, default=1e-5
        L2 penalty ``alpha / 2 * ||W||^2`` on all weights but the bias,
        non-negative, applied through the optimizer's weight decay. The default
        was measured on three data sets with this training loop; see
        :doc:`/benchmarks_archive`, "FwFM takes the loop".
    learning_rate : float, default=0.01
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping, in (0, 1).
    n_iter_no_change : int, default=2
        Patience of early stopping, in epochs.
    tol : float, default=1e-6
        Least improvement of the monitored value that counts: relative for
        ``scoring="loss"``, absolute for a scorer.
    {categorical_features}
    {min_frequency}
    {random_state}
    {verbose}
    {device}
    {callbacks}
    {net_params}
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
    scoring : str or callable, default="auto"
        What early stopping and ``lr_schedule`` monitor on the validation data:
        ``"loss"`` or ``"auto"`` (both the model's loss, the squared error of
        the standardised target), a scikit-learn scorer name such as ``"r2"``,
        or a callable ``scorer(estimator, X_val, y_val)``. Higher scores are
        better.
    lr_schedule : {"plateau"} or None, default="plateau"
        ``"plateau"``: divide the learning rate by 10 after every epoch whose
        monitored value does not improve by more than 1e-6, down to 1e-6
        (without validation data it watches the training loss). ``None``: a
        constant learning rate.
    clip_grad_norm : float or None, default=10.0
        Clip the total gradient norm to this positive value before every step;
        ``None`` does not clip.
    {numeric_bins}
    {vector_features}
    {multi_value_features}

    Attributes
    ----------
    {net_}
    {n_iter_}
    {do_early_stopping_}
    {validation_score_}
    {is_categorical_}
    {feature_kinds_}
    {schema_}
    {n_features_in_}
    {feature_names_in_}

    See Also
    --------
    FwFMClassifier : Field-weighted factorization machine classifier.
    FMRegressor : Factorization machine regressor, the same pair weight for all.

    Notes
    -----
    ``decompose(X)`` returns the model's exact second-order decomposition, with
    the learned ``r_ij`` as ``pair_weights``.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import FwFMRegressor
    >>> X, y, truth = make_interaction_regression(n_samples=2000, random_state=0)
    >>> reg = FwFMRegressor(max_epochs=20, random_state=0).fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    """

    def __init__(
        self,
        embed_dim=10,
        *,
        linear_terms="embedded",
        alpha=1e-5,
        learning_rate=0.01,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            linear_terms=linear_terms,
            alpha=alpha,
            learning_rate=learning_rate,
            optimizer=optimizer,
            batch_size=batch_size,
            max_epochs=max_epochs,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            categorical_features=categorical_features,
            min_frequency=min_frequency,
            random_state=random_state,
            verbose=verbose,
            device=device,
            callbacks=callbacks,
            net_params=net_params,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )
