"""Deep CTR models: DNN, Wide & Deep, DeepFM, DCN-v2 and AutoInt estimators.

The module is long because each of its ten public classes carries its docstring
written out in full (as scikit-learn does for HistGradientBoosting); the code
shared by the five models is one base class.
"""

from numbers import Integral, Real

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
from skfeat.nn import DNN, AutoInt, DCNv2, DeepFM, WideDeep
from skfeat.nn._mlp import _ACTIVATIONS
from skfeat.utils._sklearn_compat import Interval, StrOptions
from skfeat.utils._validation import (
    MAX_HASH_BUCKETS,
    IntInRange,
    PositiveIntSequence,
)


class _DeepBase(BaseFieldModel):
    """Parameters, checks and module arguments shared by the deep models."""

    _parameter_constraints = {
        **BaseFieldModel._parameter_constraints,
        "embed_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_units": [PositiveIntSequence(allow_empty=True)],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "net_alpha": [Interval(Real, 0, None, closed="left")],
        "sparse_gradients": ["boolean", StrOptions({"auto"})],
        "categorical_encoding": [StrOptions({"vocabulary", "hash"})],
        "hash_buckets": [IntInRange(1, MAX_HASH_BUCKETS)],
    }

    def __init__(
        self,
        *,
        hidden_units,
        activation,
        dropout,
        batch_norm,
        net_alpha,
        scoring,
        lr_schedule,
        clip_grad_norm,
        numeric_bins,
        sparse_gradients,
        categorical_encoding,
        hash_buckets,
        **params,
    ):
        super().__init__(**params)
        self.hidden_units = hidden_units
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.net_alpha = net_alpha
        self.scoring = scoring
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm
        self.numeric_bins = numeric_bins
        self.sparse_gradients = sparse_gradients
        self.categorical_encoding = categorical_encoding
        self.hash_buckets = hash_buckets

    def _fit(self, X, y, **kwargs):
        if not (kwargs.get("partial") and hasattr(self, "net_")):
            self._check_architecture()
        return super()._fit(X, y, **kwargs)

    def _check_architecture(self):
        """Raise clear errors for settings the constraints cannot express."""
        units = np.asarray(self.hidden_units, dtype=object).ravel()
        valid = units.size > 0 and all(
            isinstance(u, Integral | np.integer) and not isinstance(u, bool) and u >= 1
            for u in units
        )
        if not valid:
            raise ValueError(
                "hidden_units must be a non-empty sequence of positive integers "
                f"(widths of the MLP's layers), got {self.hidden_units!r}."
            )

    def _mlp_kwargs(self):
        return dict(
            hidden_units=[int(u) for u in np.ravel(self.hidden_units)],
            activation=self.activation,
            dropout=float(self.dropout),
            batch_norm=bool(self.batch_norm),
            zero_ids=(UNKNOWN_ID,),
            sparse=getattr(self, "_sparse_gradients_", False),
            vector_dims=self.schema_.vector_dims,
            bags=self.schema_.bag_specs,
            bag_cardinalities=self.schema_.own_bag_cardinalities,
        )


# ----------------------------------------------------------------- DNN / W&D / DeepFM
class _DNNBase(_DeepBase):
    def _build_module(self, schema, n_outputs):
        return DNN(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            **self._mlp_kwargs(),
        )


class _WideDeepBase(_Decomposable, _DeepBase):
    def _build_module(self, schema, n_outputs):
        return WideDeep(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            **self._mlp_kwargs(),
        )

    def _module_terms(self, module, data, c):
        linear, emb = module.field_terms(
            data["cat"], data["num"], data.get("vec"), data.get("bag")
        )
        n, m = linear.shape[:2]
        # the wide part is first order: no pair terms
        zeros = torch.zeros(n, m, 1, dtype=linear.dtype)
        rest = module.mlp(emb.flatten(1))[:, c]
        return linear[:, :, c], zeros, torch.zeros(m, m), module.bias[c], rest


class _DeepFMBase(_Decomposable, _DeepBase):
    def _build_module(self, schema, n_outputs):
        return DeepFM(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            **self._mlp_kwargs(),
        )

    def _module_terms(self, module, data, c):
        linear, emb = module.field_terms(
            data["cat"], data["num"], data.get("vec"), data.get("bag")
        )
        m = linear.shape[1]
        weights = torch.ones(m, m) - torch.eye(m)
        rest = module.deep_output(emb)[:, c]
        return linear[:, :, c], emb[:, :, c, :], weights, module.fm.bias[c], rest


# ----------------------------------------------------------------------- DCN-v2
class _DCNBase(_DeepBase):
    _parameter_constraints = {
        **_DeepBase._parameter_constraints,
        "cross_layers": [Interval(Integral, 1, None, closed="left")],
        "low_rank": [Interval(Integral, 1, None, closed="left"), None],
        "structure": [StrOptions({"parallel", "stacked", "crossnet_only"})],
    }

    def __init__(
        self,
        *,
        cross_layers,
        low_rank,
        structure,
        **params,
    ):
        super().__init__(**params)
        self.cross_layers = cross_layers
        self.low_rank = low_rank
        self.structure = structure

    def _check_architecture(self):
        if self.structure != "crossnet_only":
            super()._check_architecture()

    def _build_module(self, schema, n_outputs):
        return DCNv2(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            cross_layers=self.cross_layers,
            low_rank=self.low_rank,
            structure=self.structure,
            **self._mlp_kwargs(),
        )


# ----------------------------------------------------------------------- AutoInt
class _AutoIntBase(_DeepBase):
    _parameter_constraints = {
        **_DeepBase._parameter_constraints,
        "attention_layers": [Interval(Integral, 1, None, closed="left")],
        "num_heads": [Interval(Integral, 1, None, closed="left")],
        "attention_dim": [Interval(Integral, 1, None, closed="left")],
        "use_mlp": ["boolean"],
        "residual": ["boolean"],
        "layer_norm": ["boolean"],
        "use_scale": ["boolean"],
        "attention_dropout": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        *,
        attention_layers,
        num_heads,
        attention_dim,
        use_mlp,
        residual,
        layer_norm,
        use_scale,
        attention_dropout,
        **params,
    ):
        super().__init__(**params)
        self.attention_layers = attention_layers
        self.num_heads = num_heads
        self.attention_dim = attention_dim
        self.use_mlp = use_mlp
        self.residual = residual
        self.layer_norm = layer_norm
        self.use_scale = use_scale
        self.attention_dropout = attention_dropout

    def _check_architecture(self):
        if self.use_mlp:
            super()._check_architecture()
        if self.attention_dim % self.num_heads:
            raise ValueError(
                f"num_heads={self.num_heads} must divide attention_dim="
                f"{self.attention_dim}: every head gets attention_dim / num_heads "
                "dimensions."
            )

    def _build_module(self, schema, n_outputs):
        kwargs = self._mlp_kwargs()
        if not self.use_mlp:
            kwargs = {
                k: kwargs[k]
                for k in (
                    "zero_ids", "sparse", "vector_dims", "bags", "bag_cardinalities"
                )
            }
        hidden = kwargs.pop("hidden_units", None)
        return AutoInt(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            hidden,
            n_outputs=n_outputs,
            attention_layers=self.attention_layers,
            num_heads=self.num_heads,
            attention_dim=self.attention_dim,
            residual=self.residual,
            layer_norm=self.layer_norm,
            use_scale=self.use_scale,
            attention_dropout=float(self.attention_dropout),
            **kwargs,
        )


# ------------------------------------------------------------------- public classes
@fill_doc
class DNNClassifier(FieldClassifierMixin, ClassifierMixin, _DNNBase):
    """MLP classifier over field embeddings (binary and multiclass).

    An MLP over the concatenated field embeddings (the "DNN" baseline of the CTR
    literature): ``output = MLP(concat_i e(x_i))``.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The defaults follow the BARS
    Frappe_x1 configurations (Adam at a learning rate of 1e-3, the FuxiCTR
    embedding regularizer) and their training loop: early stopping on
    validation ROC AUC for binary targets with a patience of 2 epochs, the
    learning rate divided by 10 after every epoch without improvement, and
    gradient norms clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1; a table costs
        ``n_ids x embed_dim`` floats and Adam keeps two more of that size. 32
        gained validation AUC over 10 on Frappe_x1 and MovieLens-100K; see
        :doc:`/benchmarks_archive`, "Embedding size 32 for the deep models".
    {hidden_units}
    {activation}
    {dropout}
    {batch_norm}
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay (FuxiCTR's ``embedding_regularizer``); with
        ``sparse_gradients`` only the rows of a batch are penalised.
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
        5% gave better validation AUC than 10% on Frappe_x1 and MovieLens-100K;
        see :doc:`/benchmarks_archive`, "A 5% holdout for the deep models".
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
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
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
    DNNRegressor : MLP regressor over field embeddings.
    DeepFMClassifier : An MLP plus a factorization machine.

    Notes
    -----
    In eval mode (prediction) the network computes in float64, so a row's output
    does not depend on which rows share its batch.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import DNNClassifier
    >>> X, y, truth = make_interaction_classification(n_samples=1000, random_state=0)
    >>> clf = DNNClassifier(hidden_units=(32,), max_epochs=3, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.predict_proba(X.iloc[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        hidden_units=(400, 400, 400),
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            hidden_units=hidden_units,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class DNNRegressor(FieldRegressorMixin, RegressorMixin, _DNNBase):
    """MLP regressor over field embeddings.

    An MLP over the concatenated field embeddings (the "DNN" baseline of the CTR
    literature): ``output = MLP(concat_i e(x_i))``.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The target is standardised
    for training and predictions are mapped back to its units. The defaults
    follow the BARS Frappe_x1 configurations (Adam at a learning rate of 1e-3,
    the FuxiCTR embedding regularizer) and their training loop: early stopping
    on the validation loss with a patience of 2 epochs, the learning rate
    divided by 10 after every epoch without improvement, and gradient norms
    clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1; a table costs
        ``n_ids x embed_dim`` floats and Adam keeps two more of that size. 32
        gained validation AUC over 10 on Frappe_x1 and MovieLens-100K; see
        :doc:`/benchmarks_archive`, "Embedding size 32 for the deep models".
    {hidden_units}
    {activation}
    {dropout}
    {batch_norm}
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay (FuxiCTR's ``embedding_regularizer``); with
        ``sparse_gradients`` only the rows of a batch are penalised.
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
        5% gave better validation AUC than 10% on Frappe_x1 and MovieLens-100K;
        see :doc:`/benchmarks_archive`, "A 5% holdout for the deep models".
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
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
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
    DNNClassifier : MLP classifier over field embeddings.
    DeepFMRegressor : An MLP plus a factorization machine.

    Notes
    -----
    In eval mode (prediction) the network computes in float64, so a row's output
    does not depend on which rows share its batch.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import DNNRegressor
    >>> X, y, truth = make_interaction_regression(n_samples=1000, random_state=0)
    >>> reg = DNNRegressor(hidden_units=(32,), max_epochs=3, random_state=0)
    >>> reg = reg.fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        hidden_units=(400, 400, 400),
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            hidden_units=hidden_units,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class WideDeepClassifier(FieldClassifierMixin, ClassifierMixin, _WideDeepBase):
    """Wide & Deep classifier (binary and multiclass).

    ``output = b + sum_i w(x_i) + MLP(concat_i e(x_i))`` (Cheng et al., DLRS
    2016): a wide first-order part (one weight per category, value times a
    weight for a numeric field) plus a deep MLP over the field embeddings,
    trained jointly with one optimizer. Crossed columns for the wide part can be
    added beforehand with :class:`~skfeat.preprocessing.FeatureCrosser`.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The defaults follow the BARS
    Frappe_x1 configurations (Adam at a learning rate of 1e-3, the FuxiCTR
    embedding regularizer) and their training loop: early stopping on
    validation ROC AUC for binary targets with a patience of 2 epochs, the
    learning rate divided by 10 after every epoch without improvement, and
    gradient norms clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1; a table costs
        ``n_ids x embed_dim`` floats and Adam keeps two more of that size. 32
        gained validation AUC over 10 on Frappe_x1 and MovieLens-100K; see
        :doc:`/benchmarks_archive`, "Embedding size 32 for the deep models".
    {hidden_units}
    {activation}
    {dropout}
    {batch_norm}
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay (FuxiCTR's ``embedding_regularizer``); with
        ``sparse_gradients`` only the rows of a batch are penalised.
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
        5% gave better validation AUC than 10% on Frappe_x1 and MovieLens-100K;
        see :doc:`/benchmarks_archive`, "A 5% holdout for the deep models".
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
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
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
    WideDeepRegressor : Wide & Deep regressor.
    DeepFMClassifier : An MLP plus a factorization machine.

    Notes
    -----
    In eval mode (prediction) the network computes in float64, so a row's output
    does not depend on which rows share its batch.

    ``decompose(X)`` returns the wide part in closed form (first order, no pair
    terms) and the deep part as ``remainder``, so
    :class:`~skfeat.explain.InteractionExplainer` computes the wide part exactly
    and samples only the deep part.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import WideDeepClassifier
    >>> X, y, truth = make_interaction_classification(n_samples=1000, random_state=0)
    >>> clf = WideDeepClassifier(hidden_units=(32,), max_epochs=3, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.predict_proba(X.iloc[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        hidden_units=(400, 400, 400),
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            hidden_units=hidden_units,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class WideDeepRegressor(FieldRegressorMixin, RegressorMixin, _WideDeepBase):
    """Wide & Deep regressor.

    ``output = b + sum_i w(x_i) + MLP(concat_i e(x_i))`` (Cheng et al., DLRS
    2016): a wide first-order part (one weight per category, value times a
    weight for a numeric field) plus a deep MLP over the field embeddings,
    trained jointly with one optimizer. Crossed columns for the wide part can be
    added beforehand with :class:`~skfeat.preprocessing.FeatureCrosser`.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The target is standardised
    for training and predictions are mapped back to its units. The defaults
    follow the BARS Frappe_x1 configurations (Adam at a learning rate of 1e-3,
    the FuxiCTR embedding regularizer) and their training loop: early stopping
    on the validation loss with a patience of 2 epochs, the learning rate
    divided by 10 after every epoch without improvement, and gradient norms
    clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1; a table costs
        ``n_ids x embed_dim`` floats and Adam keeps two more of that size. 32
        gained validation AUC over 10 on Frappe_x1 and MovieLens-100K; see
        :doc:`/benchmarks_archive`, "Embedding size 32 for the deep models".
    {hidden_units}
    {activation}
    {dropout}
    {batch_norm}
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay (FuxiCTR's ``embedding_regularizer``); with
        ``sparse_gradients`` only the rows of a batch are penalised.
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
        5% gave better validation AUC than 10% on Frappe_x1 and MovieLens-100K;
        see :doc:`/benchmarks_archive`, "A 5% holdout for the deep models".
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
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
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
    WideDeepClassifier : Wide & Deep classifier.
    DeepFMRegressor : An MLP plus a factorization machine.

    Notes
    -----
    In eval mode (prediction) the network computes in float64, so a row's output
    does not depend on which rows share its batch.

    ``decompose(X)`` returns the wide part in closed form (first order, no pair
    terms) and the deep part as ``remainder``, so
    :class:`~skfeat.explain.InteractionExplainer` computes the wide part exactly
    and samples only the deep part.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import WideDeepRegressor
    >>> X, y, truth = make_interaction_regression(n_samples=1000, random_state=0)
    >>> reg = WideDeepRegressor(hidden_units=(32,), max_epochs=3, random_state=0)
    >>> reg = reg.fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        hidden_units=(400, 400, 400),
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            hidden_units=hidden_units,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class DeepFMClassifier(FieldClassifierMixin, ClassifierMixin, _DeepFMBase):
    """DeepFM classifier (binary and multiclass).

    ``output = b + sum_i w(x_i) + sum_{i<j} <v(x_i), v(x_j)>
    + MLP(concat_i v(x_i))`` (Guo et al., IJCAI 2017): a factorization machine
    and an MLP that share the field embeddings.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The defaults follow the BARS
    Frappe_x1 configurations (Adam at a learning rate of 1e-3, the FuxiCTR
    embedding regularizer) and their training loop: early stopping on
    validation ROC AUC for binary targets with a patience of 2 epochs, the
    learning rate divided by 10 after every epoch without improvement, and
    gradient norms clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1; a table costs
        ``n_ids x embed_dim`` floats and Adam keeps two more of that size. 32
        gained validation AUC over 10 on Frappe_x1 and MovieLens-100K; see
        :doc:`/benchmarks_archive`, "Embedding size 32 for the deep models".
    {hidden_units}
    {activation}
    {dropout}
    {batch_norm}
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay (FuxiCTR's ``embedding_regularizer``); with
        ``sparse_gradients`` only the rows of a batch are penalised.
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
        5% gave better validation AUC than 10% on Frappe_x1 and MovieLens-100K;
        see :doc:`/benchmarks_archive`, "A 5% holdout for the deep models".
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
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
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
    DeepFMRegressor : DeepFM regressor.
    FMClassifier : The factorization machine alone.
    WideDeepClassifier : An MLP plus a first-order part.

    Notes
    -----
    In eval mode (prediction) the network computes in float64, so a row's output
    does not depend on which rows share its batch.

    ``decompose(X)`` returns the FM part in closed form and the MLP's output as
    ``remainder``, so :class:`~skfeat.explain.InteractionExplainer` computes the
    FM part exactly and samples only the deep part.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import DeepFMClassifier
    >>> X, y, truth = make_interaction_classification(n_samples=1000, random_state=0)
    >>> clf = DeepFMClassifier(hidden_units=(32,), max_epochs=3, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.predict_proba(X.iloc[:2]).shape
    (2, 2)
    >>> dec = clf.decompose(X.iloc[:5])
    >>> bool(abs(dec.output() - clf.decision_function(X.iloc[:5])).max() < 1e-8)
    True
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        hidden_units=(400, 400, 400),
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            hidden_units=hidden_units,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class DeepFMRegressor(FieldRegressorMixin, RegressorMixin, _DeepFMBase):
    """DeepFM regressor.

    ``output = b + sum_i w(x_i) + sum_{i<j} <v(x_i), v(x_j)>
    + MLP(concat_i v(x_i))`` (Guo et al., IJCAI 2017): a factorization machine
    and an MLP that share the field embeddings.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The target is standardised
    for training and predictions are mapped back to its units. The defaults
    follow the BARS Frappe_x1 configurations (Adam at a learning rate of 1e-3,
    the FuxiCTR embedding regularizer) and their training loop: early stopping
    on the validation loss with a patience of 2 epochs, the learning rate
    divided by 10 after every epoch without improvement, and gradient norms
    clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1; a table costs
        ``n_ids x embed_dim`` floats and Adam keeps two more of that size. 32
        gained validation AUC over 10 on Frappe_x1 and MovieLens-100K; see
        :doc:`/benchmarks_archive`, "Embedding size 32 for the deep models".
    {hidden_units}
    {activation}
    {dropout}
    {batch_norm}
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay (FuxiCTR's ``embedding_regularizer``); with
        ``sparse_gradients`` only the rows of a batch are penalised.
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
        5% gave better validation AUC than 10% on Frappe_x1 and MovieLens-100K;
        see :doc:`/benchmarks_archive`, "A 5% holdout for the deep models".
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
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
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
    DeepFMClassifier : DeepFM classifier.
    FMRegressor : The factorization machine alone.

    Notes
    -----
    In eval mode (prediction) the network computes in float64, so a row's output
    does not depend on which rows share its batch.

    ``decompose(X)`` returns the FM part in closed form and the MLP's output as
    ``remainder``, so :class:`~skfeat.explain.InteractionExplainer` computes the
    FM part exactly and samples only the deep part.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import DeepFMRegressor
    >>> X, y, truth = make_interaction_regression(n_samples=1000, random_state=0)
    >>> reg = DeepFMRegressor(hidden_units=(32,), max_epochs=3, random_state=0)
    >>> reg = reg.fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        hidden_units=(400, 400, 400),
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            hidden_units=hidden_units,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class DCNClassifier(FieldClassifierMixin, ClassifierMixin, _DCNBase):
    """Deep & Cross Network v2 classifier (binary and multiclass).

    DCN-v2 (Wang et al., WWW 2021): a cross network
    ``x_{l+1} = x_0 * (W_l x_l + b_l) + x_l`` over the concatenated field
    embeddings ``x_0``, which models feature crosses up to order
    ``cross_layers + 1``, combined with an MLP (in parallel by default).

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The defaults follow the BARS
    Frappe_x1 configurations (Adam at a learning rate of 1e-3, the FuxiCTR
    embedding regularizer) and their training loop: early stopping on
    validation ROC AUC for binary targets with a patience of 2 epochs, the
    learning rate divided by 10 after every epoch without improvement, and
    gradient norms clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1; a table costs
        ``n_ids x embed_dim`` floats and Adam keeps two more of that size. 32
        gained validation AUC over 10 on Frappe_x1 and MovieLens-100K; see
        :doc:`/benchmarks_archive`, "Embedding size 32 for the deep models".
    cross_layers : int, default=3
        Number of cross layers, at least 1.
    low_rank : int or None, default=None
        Rank of each cross layer's weight matrix (``W = U V^T``); ``None`` is
        full rank (``(fields x embed_dim)^2`` weights per layer).
    structure : {"parallel", "stacked", "crossnet_only"}, default="parallel"
        ``"parallel"``: cross network and MLP side by side, concatenated before
        the output layer; ``"stacked"``: the MLP on top of the cross network;
        ``"crossnet_only"``: no MLP (``hidden_units`` and the MLP options are
        ignored).
    {hidden_units}
    {activation}
    {dropout}
    {batch_norm}
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay (FuxiCTR's ``embedding_regularizer``); with
        ``sparse_gradients`` only the rows of a batch are penalised.
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
        5% gave better validation AUC than 10% on Frappe_x1 and MovieLens-100K;
        see :doc:`/benchmarks_archive`, "A 5% holdout for the deep models".
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
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
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
    DCNRegressor : Deep & Cross Network v2 regressor.
    DeepFMClassifier : An MLP plus a factorization machine.

    Notes
    -----
    In eval mode (prediction) the network computes in float64, so a row's output
    does not depend on which rows share its batch.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import DCNClassifier
    >>> X, y, truth = make_interaction_classification(n_samples=1000, random_state=0)
    >>> clf = DCNClassifier(hidden_units=(32,), max_epochs=3, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.predict_proba(X.iloc[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        cross_layers=3,
        low_rank=None,
        structure="parallel",
        hidden_units=(400, 400, 400),
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            cross_layers=cross_layers,
            low_rank=low_rank,
            structure=structure,
            hidden_units=hidden_units,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class DCNRegressor(FieldRegressorMixin, RegressorMixin, _DCNBase):
    """Deep & Cross Network v2 regressor.

    DCN-v2 (Wang et al., WWW 2021): a cross network
    ``x_{l+1} = x_0 * (W_l x_l + b_l) + x_l`` over the concatenated field
    embeddings ``x_0``, which models feature crosses up to order
    ``cross_layers + 1``, combined with an MLP (in parallel by default).

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The target is standardised
    for training and predictions are mapped back to its units. The defaults
    follow the BARS Frappe_x1 configurations (Adam at a learning rate of 1e-3,
    the FuxiCTR embedding regularizer) and their training loop: early stopping
    on the validation loss with a patience of 2 epochs, the learning rate
    divided by 10 after every epoch without improvement, and gradient norms
    clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1; a table costs
        ``n_ids x embed_dim`` floats and Adam keeps two more of that size. 32
        gained validation AUC over 10 on Frappe_x1 and MovieLens-100K; see
        :doc:`/benchmarks_archive`, "Embedding size 32 for the deep models".
    cross_layers : int, default=3
        Number of cross layers, at least 1.
    low_rank : int or None, default=None
        Rank of each cross layer's weight matrix (``W = U V^T``); ``None`` is
        full rank (``(fields x embed_dim)^2`` weights per layer).
    structure : {"parallel", "stacked", "crossnet_only"}, default="parallel"
        ``"parallel"``: cross network and MLP side by side, concatenated before
        the output layer; ``"stacked"``: the MLP on top of the cross network;
        ``"crossnet_only"``: no MLP (``hidden_units`` and the MLP options are
        ignored).
    {hidden_units}
    {activation}
    {dropout}
    {batch_norm}
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay (FuxiCTR's ``embedding_regularizer``); with
        ``sparse_gradients`` only the rows of a batch are penalised.
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
        5% gave better validation AUC than 10% on Frappe_x1 and MovieLens-100K;
        see :doc:`/benchmarks_archive`, "A 5% holdout for the deep models".
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
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
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
    DCNClassifier : Deep & Cross Network v2 classifier.
    DeepFMRegressor : An MLP plus a factorization machine.

    Notes
    -----
    In eval mode (prediction) the network computes in float64, so a row's output
    does not depend on which rows share its batch.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import DCNRegressor
    >>> X, y, truth = make_interaction_regression(n_samples=1000, random_state=0)
    >>> reg = DCNRegressor(hidden_units=(32,), max_epochs=3, random_state=0)
    >>> reg = reg.fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        cross_layers=3,
        low_rank=None,
        structure="parallel",
        hidden_units=(400, 400, 400),
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            cross_layers=cross_layers,
            low_rank=low_rank,
            structure=structure,
            hidden_units=hidden_units,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class AutoIntClassifier(FieldClassifierMixin, ClassifierMixin, _AutoIntBase):
    """AutoInt / AutoInt+ classifier (binary and multiclass).

    AutoInt (Song et al., CIKM 2019): ``attention_layers`` layers of multi-head
    self-attention over the field embeddings, each with a residual connection,
    then a linear output over the concatenated fields. With ``use_mlp=True``
    (the default) this is AutoInt+: an MLP over the embeddings runs in parallel
    and its output is added to the output. Attention maps are diagnostics, not
    attributions; use :class:`~skfeat.explain.InteractionExplainer`.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The defaults follow the BARS
    Frappe_x1 configurations (Adam at a learning rate of 1e-3, the FuxiCTR
    embedding regularizer) and their training loop: early stopping on
    validation ROC AUC for binary targets with a patience of 2 epochs, the
    learning rate divided by 10 after every epoch without improvement, and
    gradient norms clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1; a table costs
        ``n_ids x embed_dim`` floats and Adam keeps two more of that size. 32
        gained validation AUC over 10 on Frappe_x1 and MovieLens-100K; see
        :doc:`/benchmarks_archive`, "Embedding size 32 for the deep models".
    attention_layers : int, default=3
        Number of self-attention layers, at least 1.
    num_heads : int, default=2
        Attention heads per layer; must divide ``attention_dim``.
    attention_dim : int, default=40
        Output width of each attention layer, all heads together.
    use_mlp : bool, default=True
        Add the parallel MLP (AutoInt+). With False, ``hidden_units`` and the
        MLP options are ignored (plain AutoInt).
    residual : bool, default=True
        Residual connections in the attention layers.
    layer_norm : bool, default=False
        Layer normalisation after each attention layer.
    use_scale : bool, default=False
        Scale the attention scores by ``1 / sqrt(attention_dim / num_heads)``.
    attention_dropout : float, default=0.0
        Dropout on the attention weights in training, in [0, 1). The BARS
        Frappe_x1 configuration of AutoInt uses 0.1.
    {hidden_units}
    {activation}
    {dropout}
    {batch_norm}
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay (FuxiCTR's ``embedding_regularizer``); with
        ``sparse_gradients`` only the rows of a batch are penalised.
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
        5% gave better validation AUC than 10% on Frappe_x1 and MovieLens-100K;
        see :doc:`/benchmarks_archive`, "A 5% holdout for the deep models".
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
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
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
    AutoIntRegressor : AutoInt / AutoInt+ regressor.
    DCNClassifier : Explicit feature crosses of bounded order.

    Notes
    -----
    In eval mode (prediction) the network computes in float64, so a row's output
    does not depend on which rows share its batch.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import AutoIntClassifier
    >>> X, y, truth = make_interaction_classification(n_samples=1000, random_state=0)
    >>> clf = AutoIntClassifier(hidden_units=(32,), max_epochs=3, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.predict_proba(X.iloc[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        attention_layers=3,
        num_heads=2,
        attention_dim=40,
        use_mlp=True,
        residual=True,
        layer_norm=False,
        use_scale=False,
        attention_dropout=0.0,
        hidden_units=(400, 400, 400),
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            attention_layers=attention_layers,
            num_heads=num_heads,
            attention_dim=attention_dim,
            use_mlp=use_mlp,
            residual=residual,
            layer_norm=layer_norm,
            use_scale=use_scale,
            attention_dropout=attention_dropout,
            hidden_units=hidden_units,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class AutoIntRegressor(FieldRegressorMixin, RegressorMixin, _AutoIntBase):
    """AutoInt / AutoInt+ regressor.

    AutoInt (Song et al., CIKM 2019): ``attention_layers`` layers of multi-head
    self-attention over the field embeddings, each with a residual connection,
    then a linear output over the concatenated fields. With ``use_mlp=True``
    (the default) this is AutoInt+: an MLP over the embeddings runs in parallel
    and its output is added to the output. Attention maps are diagnostics, not
    attributions; use :class:`~skfeat.explain.InteractionExplainer`.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The target is standardised
    for training and predictions are mapped back to its units. The defaults
    follow the BARS Frappe_x1 configurations (Adam at a learning rate of 1e-3,
    the FuxiCTR embedding regularizer) and their training loop: early stopping
    on the validation loss with a patience of 2 epochs, the learning rate
    divided by 10 after every epoch without improvement, and gradient norms
    clipped at 10; see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1; a table costs
        ``n_ids x embed_dim`` floats and Adam keeps two more of that size. 32
        gained validation AUC over 10 on Frappe_x1 and MovieLens-100K; see
        :doc:`/benchmarks_archive`, "Embedding size 32 for the deep models".
    attention_layers : int, default=3
        Number of self-attention layers, at least 1.
    num_heads : int, default=2
        Attention heads per layer; must divide ``attention_dim``.
    attention_dim : int, default=40
        Output width of each attention layer, all heads together.
    use_mlp : bool, default=True
        Add the parallel MLP (AutoInt+). With False, ``hidden_units`` and the
        MLP options are ignored (plain AutoInt).
    residual : bool, default=True
        Residual connections in the attention layers.
    layer_norm : bool, default=False
        Layer normalisation after each attention layer.
    use_scale : bool, default=False
        Scale the attention scores by ``1 / sqrt(attention_dim / num_heads)``.
    attention_dropout : float, default=0.0
        Dropout on the attention weights in training, in [0, 1). The BARS
        Frappe_x1 configuration of AutoInt uses 0.1.
    {hidden_units}
    {activation}
    {dropout}
    {batch_norm}
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables,
        non-negative, applied to the whole tables at every step through the
        optimizer's weight decay (FuxiCTR's ``embedding_regularizer``); with
        ``sparse_gradients`` only the rows of a batch are penalised.
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
        5% gave better validation AUC than 10% on Frappe_x1 and MovieLens-100K;
        see :doc:`/benchmarks_archive`, "A 5% holdout for the deep models".
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
    {sparse_gradients}
    {categorical_encoding}
    {hash_buckets}
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
    AutoIntClassifier : AutoInt / AutoInt+ classifier.
    DCNRegressor : Explicit feature crosses of bounded order.

    Notes
    -----
    In eval mode (prediction) the network computes in float64, so a row's output
    does not depend on which rows share its batch.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import AutoIntRegressor
    >>> X, y, truth = make_interaction_regression(n_samples=1000, random_state=0)
    >>> reg = AutoIntRegressor(hidden_units=(32,), max_epochs=3, random_state=0)
    >>> reg = reg.fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        attention_layers=3,
        num_heads=2,
        attention_dim=40,
        use_mlp=True,
        residual=True,
        layer_norm=False,
        use_scale=False,
        attention_dropout=0.0,
        hidden_units=(400, 400, 400),
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            attention_layers=attention_layers,
            num_heads=num_heads,
            attention_dim=attention_dim,
            use_mlp=use_mlp,
            residual=residual,
            layer_norm=layer_norm,
            use_scale=use_scale,
            attention_dropout=attention_dropout,
            hidden_units=hidden_units,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )
