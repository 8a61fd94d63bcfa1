"""FinalMLP classifier and regressor (Mao et al., AAAI 2023).

Most of its lines are the written-out docstrings of its two public classes.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin

from skfeat.models._base import (
    BaseFieldModel,
    FieldClassifierMixin,
    FieldRegressorMixin,
)
from skfeat.models._docstring import fill_doc
from skfeat.models._fields import UNKNOWN_ID
from skfeat.nn._finalmlp import FinalMLP
from skfeat.nn._mlp import _ACTIVATIONS
from skfeat.utils._sklearn_compat import Interval, StrOptions
from skfeat.utils._validation import PositiveIntSequence


def _check_units(value, name):
    units = np.asarray(value, dtype=object).ravel()
    valid = units.size > 0 and all(
        isinstance(u, Integral | np.integer) and not isinstance(u, bool) and u >= 1
        for u in units
    )
    if not valid:
        raise ValueError(
            f"{name} must be a non-empty sequence of positive integers "
            f"(widths of the MLP's layers), got {value!r}."
        )
    return [int(u) for u in units]


class _FinalMLPBase(BaseFieldModel):
    _parameter_constraints = {
        **BaseFieldModel._parameter_constraints,
        "embed_dim": [Interval(Integral, 1, None, closed="left")],
        "mlp1_hidden_units": [PositiveIntSequence(allow_empty=True)],
        "mlp2_hidden_units": [PositiveIntSequence(allow_empty=True)],
        "mlp1_dropout": [Interval(Real, 0, 1, closed="left")],
        "mlp2_dropout": [Interval(Real, 0, 1, closed="left")],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "batch_norm": ["boolean"],
        "use_feature_selection": ["boolean"],
        "fs_hidden_units": [PositiveIntSequence(allow_empty=True)],
        "fs1_context": ["array-like", None],
        "fs2_context": ["array-like", None],
        "num_heads": [Interval(Integral, 1, None, closed="left")],
        "net_alpha": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        mlp1_hidden_units,
        mlp2_hidden_units,
        mlp1_dropout,
        mlp2_dropout,
        activation,
        batch_norm,
        use_feature_selection,
        fs_hidden_units,
        fs1_context,
        fs2_context,
        num_heads,
        net_alpha,
        scoring,
        lr_schedule,
        clip_grad_norm,
        **params,
    ):
        super().__init__(**params)
        self.mlp1_hidden_units = mlp1_hidden_units
        self.mlp2_hidden_units = mlp2_hidden_units
        self.mlp1_dropout = mlp1_dropout
        self.mlp2_dropout = mlp2_dropout
        self.activation = activation
        self.batch_norm = batch_norm
        self.use_feature_selection = use_feature_selection
        self.fs_hidden_units = fs_hidden_units
        self.fs1_context = fs1_context
        self.fs2_context = fs2_context
        self.num_heads = num_heads
        self.net_alpha = net_alpha
        self.scoring = scoring
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm

    def _fit(self, X, y, **kwargs):
        if not (kwargs.get("partial") and hasattr(self, "net_")):
            units1 = _check_units(self.mlp1_hidden_units, "mlp1_hidden_units")
            units2 = _check_units(self.mlp2_hidden_units, "mlp2_hidden_units")
            if self.use_feature_selection:
                _check_units(self.fs_hidden_units, "fs_hidden_units")
            if units1[-1] % self.num_heads or units2[-1] % self.num_heads:
                raise ValueError(
                    f"num_heads={self.num_heads} must divide the last widths of "
                    f"both streams (mlp1_hidden_units[-1]={units1[-1]}, "
                    f"mlp2_hidden_units[-1]={units2[-1]})."
                )
        return super()._fit(X, y, **kwargs)

    def _context_fields(self, context, name, schema):
        """Module field indices (categorical first) of the columns in ``context``."""
        if context is None:
            return []
        position = np.empty(len(schema.names), dtype=int)
        position[schema.order] = np.arange(len(schema.names))
        fields = []
        for item in np.asarray(context, dtype=object).ravel():
            if isinstance(item, str):
                where = [j for j, n in enumerate(schema.names) if n == item]
                if not where:
                    raise ValueError(
                        f"{name} names column {item!r}, which is not a column of X "
                        f"(columns: {list(schema.names)})."
                    )
                column = where[0]
            elif isinstance(item, Integral | np.integer) and not isinstance(item, bool):
                column = int(item)
                if not 0 <= column < len(schema.names):
                    raise ValueError(
                        f"{name} holds column index {column}, but X has "
                        f"{len(schema.names)} columns."
                    )
            else:
                raise ValueError(
                    f"{name} must hold column names (str) or indices (int), "
                    f"got {item!r}."
                )
            fields.append(int(position[column]))
        return fields

    def _build_module(self, schema, n_outputs):
        return FinalMLP(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            [int(u) for u in np.ravel(self.mlp1_hidden_units)],
            [int(u) for u in np.ravel(self.mlp2_hidden_units)],
            n_outputs=n_outputs,
            activation=self.activation,
            mlp1_dropout=float(self.mlp1_dropout),
            mlp2_dropout=float(self.mlp2_dropout),
            batch_norm=bool(self.batch_norm),
            use_feature_selection=bool(self.use_feature_selection),
            fs_hidden_units=[int(u) for u in np.ravel(self.fs_hidden_units)],
            fs1_context=self._context_fields(self.fs1_context, "fs1_context", schema),
            fs2_context=self._context_fields(self.fs2_context, "fs2_context", schema),
            num_heads=int(self.num_heads),
            zero_ids=(UNKNOWN_ID,),
            vector_dims=schema.vector_dims,
            bags=schema.bag_specs,
            bag_cardinalities=schema.own_bag_cardinalities,
        )


@fill_doc
class FinalMLPClassifier(FieldClassifierMixin, ClassifierMixin, _FinalMLPBase):
    """FinalMLP classifier: two gated MLP streams with bilinear fusion.

    Mao et al., "FinalMLP: An Enhanced Two-Stream MLP Model for CTR
    Prediction", AAAI 2023. Two MLPs read the concatenated field embeddings,
    each through its own feature gate ``2 * sigmoid(MLP(context))`` (one
    weight per embedding element, computed from the embeddings of a few
    context fields, e.g. the user for one stream and the item for the other),
    and a multi-head bilinear layer fuses the two outputs:
    ``out = w_1 h_1 + w_2 h_2 + sum_k h_1k^T W_k h_2k`` over ``num_heads``
    chunks. The network defaults are the BARS Frappe_x1 configuration of
    FinalMLP (the best record of the BARS leaderboard) with the other deep
    models' embeddings of 32 instead of BARS's 10; BARS also sets
    ``fs1_context=["user"], fs2_context=["item"]``, which depend on the data.

    Input is a DataFrame or dense array with one column per field
    (categorical or numeric); sparse input raises a ``TypeError``.
    Training stops early on the validation AUC with a patience of 2 epochs,
    dividing the learning rate by 10 at each epoch without gain (as the deep
    models do); see :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1.
    mlp1_hidden_units : sequence of int, default=(400,)
        Widths of the hidden layers of the first stream (non-empty, positive).
    mlp2_hidden_units : sequence of int, default=(100,)
        Widths of the hidden layers of the second stream (non-empty, positive).
    mlp1_dropout : float, default=0.4
        Dropout after each hidden layer of the first stream, in [0, 1).
    mlp2_dropout : float, default=0.4
        Dropout after each hidden layer of the second stream, in [0, 1).
    activation : {"relu", "tanh", "sigmoid", "gelu", "leaky_relu", \
"identity"}, default="relu"
        Activation of the streams' hidden layers.
    batch_norm : bool, default=True
        Batch normalisation in the streams' hidden layers.
    use_feature_selection : bool, default=True
        Gate each stream's input. With False both streams read the plain
        embeddings and the ``fs_*`` options are ignored.
    fs_hidden_units : sequence of int, default=(400,)
        Hidden widths of each gate's MLP (non-empty, positive).
    fs1_context : list of str or int, default=None
        Columns (names or indices) whose embeddings feed the first stream's
        gate; they get embedding tables of their own. ``None``: the gate's input
        is a learned vector, so the gate is the same for every row. With
        ``vector_features`` they name fields: a vector field by its name (an
        index counts fields, as in ``schema_.names``).
    fs2_context : list of str or int, default=None
        The same as ``fs1_context``, for the second stream's gate.
    num_heads : int, default=5
        Heads of the bilinear fusion; must divide the last width of both
        streams.
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on all embedding tables (the gates'
        context tables included), non-negative, applied through the optimizer's
        weight decay (FuxiCTR's ``embedding_regularizer``).
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
    n_iter_no_change : int, default=2
        Patience of early stopping, in epochs. A fit never stops before epoch 5.
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
    {vector_features}
    {multi_value_features}
    scoring : str or callable, default="auto"
        What early stopping (and ``lr_schedule``) monitors on the validation data,
        as in ``HistGradientBoostingClassifier``: ``"loss"`` (the model's own loss,
        lower is better), ``"auto"`` (``"roc_auc"`` for a binary classifier fitted
        without ``sample_weight`` whose validation rows hold at least 100 rows of
        each class, else ``"loss"``), a scikit-learn scorer name (``"roc_auc"``,
        ``"neg_log_loss"``, ``"accuracy"``, ``"r2"``...) or a callable
        ``scorer(estimator, X_val, y_val)`` (higher is better). The per-epoch
        values are kept in ``validation_score_``.
    lr_schedule : {"plateau"} or None, default="plateau"
        ``"plateau"``: divide the learning rate by 10 after every epoch whose
        monitored validation value does not improve by more than 1e-6, down to
        1e-6 (FuxiCTR's ``reduce_lr_on_plateau``, the loop of the BARS
        benchmarks); without validation data it watches the training loss.
    clip_grad_norm : float or None, default=10.0
        Clip the total gradient norm to this value before every step (FuxiCTR and
        BARS use 10).

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
    FinalMLPRegressor : FinalMLP regressor.
    DNNClassifier : One MLP stream without gates.

    Notes
    -----
    FuxiCTR's FinalMLP (which produced the BARS records) is followed in the
    details the paper leaves open: gates without batch norm, a learned gate
    input when there is no context, Glorot-normal linear layers and N(0, 1e-4)
    embeddings. In eval mode the network computes in float64, so a row's
    output does not depend on which rows share its batch.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FinalMLPClassifier
    >>> X, y, _ = make_interaction_classification(n_samples=1000, random_state=0)
    >>> clf = FinalMLPClassifier(mlp1_hidden_units=(32,), mlp2_hidden_units=(16,),
    ...                          fs_hidden_units=(16,), num_heads=2,
    ...                          fs1_context=[X.columns[0]], max_epochs=3,
    ...                          random_state=0).fit(X, y)
    >>> clf.predict_proba(X.iloc[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        mlp1_hidden_units=(400,),
        mlp2_hidden_units=(100,),
        mlp1_dropout=0.4,
        mlp2_dropout=0.4,
        activation="relu",
        batch_norm=True,
        use_feature_selection=True,
        fs_hidden_units=(400,),
        fs1_context=None,
        fs2_context=None,
        num_heads=5,
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
        vector_features=None,
        multi_value_features=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
    ):
        super().__init__(
            embed_dim=embed_dim,
            mlp1_hidden_units=mlp1_hidden_units,
            mlp2_hidden_units=mlp2_hidden_units,
            mlp1_dropout=mlp1_dropout,
            mlp2_dropout=mlp2_dropout,
            activation=activation,
            batch_norm=batch_norm,
            use_feature_selection=use_feature_selection,
            fs_hidden_units=fs_hidden_units,
            fs1_context=fs1_context,
            fs2_context=fs2_context,
            num_heads=num_heads,
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
            vector_features=vector_features,
            multi_value_features=multi_value_features,
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
        )


@fill_doc
class FinalMLPRegressor(FieldRegressorMixin, RegressorMixin, _FinalMLPBase):
    """FinalMLP regressor: two gated MLP streams with bilinear fusion.

    Mao et al., "FinalMLP: An Enhanced Two-Stream MLP Model for CTR
    Prediction", AAAI 2023. Two MLPs read the concatenated field embeddings,
    each through its own feature gate ``2 * sigmoid(MLP(context))`` (one
    weight per embedding element, computed from the embeddings of a few
    context fields, e.g. the user for one stream and the item for the other),
    and a multi-head bilinear layer fuses the two outputs:
    ``out = w_1 h_1 + w_2 h_2 + sum_k h_1k^T W_k h_2k`` over ``num_heads``
    chunks. The network defaults are the BARS Frappe_x1 configuration of
    FinalMLP (the best record of the BARS leaderboard) with the other deep
    models' embeddings of 32 instead of BARS's 10; BARS also sets
    ``fs1_context=["user"], fs2_context=["item"]``, which depend on the data.

    Input is a DataFrame or dense array with one column per field
    (categorical or numeric); sparse input raises a ``TypeError``. The target is
    standardised for training and predictions are mapped back to its units.
    Training stops early on the validation loss with a patience of 2 epochs,
    dividing the learning rate by 10 at each epoch without gain; see
    :ref:`training`.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, at least 1.
    mlp1_hidden_units : sequence of int, default=(400,)
        Widths of the hidden layers of the first stream (non-empty, positive).
    mlp2_hidden_units : sequence of int, default=(100,)
        Widths of the hidden layers of the second stream (non-empty, positive).
    mlp1_dropout : float, default=0.4
        Dropout after each hidden layer of the first stream, in [0, 1).
    mlp2_dropout : float, default=0.4
        Dropout after each hidden layer of the second stream, in [0, 1).
    activation : {"relu", "tanh", "sigmoid", "gelu", "leaky_relu", \
"identity"}, default="relu"
        Activation of the streams' hidden layers.
    batch_norm : bool, default=True
        Batch normalisation in the streams' hidden layers.
    use_feature_selection : bool, default=True
        Gate each stream's input. With False both streams read the plain
        embeddings and the ``fs_*`` options are ignored.
    fs_hidden_units : sequence of int, default=(400,)
        Hidden widths of each gate's MLP (non-empty, positive).
    fs1_context : list of str or int, default=None
        Columns (names or indices) whose embeddings feed the first stream's
        gate; they get embedding tables of their own. ``None``: the gate's input
        is a learned vector, so the gate is the same for every row. With
        ``vector_features`` they name fields: a vector field by its name (an
        index counts fields, as in ``schema_.names``).
    fs2_context : list of str or int, default=None
        The same as ``fs1_context``, for the second stream's gate.
    num_heads : int, default=5
        Heads of the bilinear fusion; must divide the last width of both
        streams.
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on all embedding tables (the gates'
        context tables included), non-negative, applied through the optimizer's
        weight decay (FuxiCTR's ``embedding_regularizer``).
    {net_alpha}
    learning_rate : float, default=1e-3
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping, in (0, 1).
    n_iter_no_change : int, default=2
        Patience of early stopping, in epochs. A fit never stops before epoch 5.
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
    {vector_features}
    {multi_value_features}
    scoring : str or callable, default="auto"
        What early stopping (and ``lr_schedule``) monitors on the validation data,
        as in ``HistGradientBoostingClassifier``: ``"loss"`` (the model's own loss,
        lower is better), ``"auto"`` (``"roc_auc"`` for a binary classifier fitted
        without ``sample_weight`` whose validation rows hold at least 100 rows of
        each class, else ``"loss"``), a scikit-learn scorer name (``"roc_auc"``,
        ``"neg_log_loss"``, ``"accuracy"``, ``"r2"``...) or a callable
        ``scorer(estimator, X_val, y_val)`` (higher is better). The per-epoch
        values are kept in ``validation_score_``.
    lr_schedule : {"plateau"} or None, default="plateau"
        ``"plateau"``: divide the learning rate by 10 after every epoch whose
        monitored validation value does not improve by more than 1e-6, down to
        1e-6 (FuxiCTR's ``reduce_lr_on_plateau``, the loop of the BARS
        benchmarks); without validation data it watches the training loss.
    clip_grad_norm : float or None, default=10.0
        Clip the total gradient norm to this value before every step (FuxiCTR and
        BARS use 10).

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
    FinalMLPClassifier : FinalMLP classifier.
    DNNRegressor : One MLP stream without gates.

    Notes
    -----
    FuxiCTR's FinalMLP (which produced the BARS records) is followed in the
    details the paper leaves open: gates without batch norm, a learned gate
    input when there is no context, Glorot-normal linear layers and N(0, 1e-4)
    embeddings. In eval mode the network computes in float64, so a row's
    output does not depend on which rows share its batch.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import FinalMLPRegressor
    >>> X, y, _ = make_interaction_regression(n_samples=1000, random_state=0)
    >>> reg = FinalMLPRegressor(mlp1_hidden_units=(32,), mlp2_hidden_units=(16,),
    ...                         fs_hidden_units=(16,), num_heads=2, max_epochs=3,
    ...                         random_state=0).fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        mlp1_hidden_units=(400,),
        mlp2_hidden_units=(100,),
        mlp1_dropout=0.4,
        mlp2_dropout=0.4,
        activation="relu",
        batch_norm=True,
        use_feature_selection=True,
        fs_hidden_units=(400,),
        fs1_context=None,
        fs2_context=None,
        num_heads=5,
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
        vector_features=None,
        multi_value_features=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
    ):
        super().__init__(
            embed_dim=embed_dim,
            mlp1_hidden_units=mlp1_hidden_units,
            mlp2_hidden_units=mlp2_hidden_units,
            mlp1_dropout=mlp1_dropout,
            mlp2_dropout=mlp2_dropout,
            activation=activation,
            batch_norm=batch_norm,
            use_feature_selection=use_feature_selection,
            fs_hidden_units=fs_hidden_units,
            fs1_context=fs1_context,
            fs2_context=fs2_context,
            num_heads=num_heads,
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
            vector_features=vector_features,
            multi_value_features=multi_value_features,
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
        )
