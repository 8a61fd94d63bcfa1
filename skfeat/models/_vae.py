"""The supervised variational interaction model, as classifier and regressor.

Most of its lines are the written-out docstrings of its two public classes.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    RegressorMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted

from skfeat.models._base import (
    BaseFieldModel,
    FieldClassifierMixin,
    FieldRegressorMixin,
)
from skfeat.models._docstring import fill_doc
from skfeat.models._fields import UNKNOWN_ID, resolve_categorical
from skfeat.nn._vae import SupervisedVAE, gaussian_kl
from skfeat.utils._sklearn_compat import Interval
from skfeat.utils._validation import PositiveIntSequence


class _VAEBase(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseFieldModel):
    __skfeat_fitted_state__ = BaseFieldModel.__skfeat_fitted_state__ + (
        "user_columns_",
        "item_columns_",
    )

    _parameter_constraints = {
        **BaseFieldModel._parameter_constraints,
        "embed_dim": [Interval(Integral, 1, None, closed="left")],
        "user_features": ["array-like", None],
        "item_features": ["array-like", None],
        "tower_units": [PositiveIntSequence()],
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "kl_warmup": [Interval(Integral, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        *,
        user_features,
        item_features,
        tower_units,
        latent_dim,
        beta,
        kl_warmup,
        dropout,
        scoring,
        lr_schedule,
        clip_grad_norm,
        numeric_bins,
        **params,
    ):
        super().__init__(**params)
        self.user_features = user_features
        self.item_features = item_features
        self.tower_units = tower_units
        self.latent_dim = latent_dim
        self.beta = beta
        self.kl_warmup = kl_warmup
        self.dropout = dropout
        self.scoring = scoring
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm
        self.numeric_bins = numeric_bins

    def _column_groups(self, n):
        """Column indices of the user and item towers."""
        names = getattr(self, "feature_names_in_", None)

        vectors = self.vector_features or {}

        def resolve(spec, what):
            if vectors and not isinstance(spec, str):
                # a vector field's name stands for all of its columns
                items = np.asarray(spec, dtype=object).ravel().tolist()
                if not any(isinstance(v, bool | np.bool_) for v in items):
                    spec = [
                        c
                        for v in items
                        for c in (vectors[v] if isinstance(v, str) and v in vectors
                                  else [v])
                    ]  # fmt: skip
            mask = resolve_categorical(None, spec, n, names)
            if not mask.any():
                raise ValueError(f"{what} selects no column of X.")
            return mask

        if n < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 columns (a user and an item "
                f"group), got {n} feature(s)."
            )
        user = (
            resolve(self.user_features, "user_features")
            if (self.user_features is not None)
            else np.eye(n, dtype=bool)[0]
        )
        item = (
            resolve(self.item_features, "item_features")
            if (self.item_features is not None)
            else ~user
        )
        if not item.any():
            raise ValueError("item_features selects no column of X.")
        return np.flatnonzero(user), np.flatnonzero(item)

    def _build_module(self, schema, n_outputs):
        units = [int(u) for u in np.atleast_1d(self.tower_units)]
        if not units or min(units) < 1:
            raise ValueError(
                "tower_units must be a non-empty sequence of positive integers, got "
                f"{self.tower_units!r}."
            )
        n_columns = (
            schema.n_fields if schema.columns is None else self.n_features_in_
        )
        user_cols, item_cols = self._column_groups(n_columns)
        # the embedding lists categorical fields first: map columns to positions
        position = np.empty(schema.n_fields, dtype=int)
        position[schema.order] = np.arange(schema.n_fields)
        self.user_columns_, self.item_columns_ = user_cols, item_cols
        if schema.columns is not None:
            # a vector field's columns go to a tower together
            owner = schema.field_of_column(n_columns)
            user_cols = np.unique(owner[user_cols])
            if self.item_features is None:
                item_cols = np.setdiff1d(np.arange(schema.n_fields), user_cols)
            else:
                item_cols = np.unique(owner[item_cols])
            if not item_cols.size:
                raise ValueError("item_features selects no field of X.")
        return SupervisedVAE(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            user_fields=position[user_cols].tolist(),
            item_fields=position[item_cols].tolist(),
            tower_units=units,
            latent_dim=self.latent_dim,
            n_outputs=n_outputs,
            beta=self.beta,
            warmup_steps=self.kl_warmup,
            dropout=self.dropout,
            zero_ids=(UNKNOWN_ID,),
            vector_dims=schema.vector_dims,
            bags=schema.bag_specs,
            bag_cardinalities=schema.own_bag_cardinalities,
        )

    def _latent(self, X):
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        data = self._dataset(X, None, None).inputs
        module = self.net_.module_
        module.eval()
        with torch.no_grad():
            mu, log_var = module.encode(
                data["cat"], data["num"], data.get("vec"), data.get("bag")
            )
        return mu.double().cpu().numpy(), log_var.double().cpu().numpy()

    @property
    def _n_features_out(self):
        return self.latent_dim

    def transform(self, X):
        """Latent means ``mu`` of each row.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim)
            Latent mean ``mu`` of each row.
        """
        return self._latent(X)[0]

    def kl_divergence(self, X):
        """Mean KL divergence of the posterior ``q(z | x)`` from ``N(0, I)`` on X.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)

        Returns
        -------
        kl : float
            The KL divergence, averaged over the rows.
        """
        mu, log_var = self._latent(X)
        return float(
            gaussian_kl(torch.from_numpy(mu), torch.from_numpy(log_var)).mean()
        )


@fill_doc
class VAEClassifier(FieldClassifierMixin, ClassifierMixin, _VAEBase):
    """Supervised variational interaction model (classifier).

    Two towers read two groups of columns, ``user_features`` and
    ``item_features`` (by default the first column, and all the others). Each is
    an MLP over its fields' concatenated embeddings, giving ``u`` and ``v``. An
    interaction layer with separate weights per tower plus an element-wise
    product term, ``W_u u + W_v v + W_p (u * v) + b``, gives the mean ``mu`` and
    log-variance of a Gaussian latent ``z``. During training
    ``z = mu + sigma * eps`` feeds a linear output head; at predict time
    ``z = mu``. The loss is the prediction loss plus ``beta`` times the KL
    divergence of ``q(z | x)`` from ``N(0, I)`` (raised linearly from 0 over
    ``kl_warmup`` updates), plus the L2 penalty ``alpha``. ``transform``
    returns the latent means.

    The KL term makes ``z`` a smooth, low-dimensional summary of the user-item
    pair; with ``beta=0`` the model is a deterministic two-tower network.

    Parameters
    ----------
    embed_dim : int, default=10
        Size of each field's embedding, at least 1.
    user_features : array-like or None, default=None
        Columns of the user tower (names, indices or a boolean mask); ``None``
        is the first column. A vector field (see ``vector_features``) may be
        named by its field name, and its columns always go to one tower
        together.
    item_features : array-like or None, default=None
        Columns of the item tower, as for ``user_features``; ``None`` is every
        column not in the user tower.
    tower_units : sequence of int, default=(64,)
        Hidden widths of each tower (non-empty, positive).
    latent_dim : int, default=16
        Size of the latent ``z``, at least 1.
    beta : float, default=1e-3
        Weight of the KL term, non-negative.
    kl_warmup : int, default=0
        Gradient updates over which the KL weight grows from 0 to ``beta``;
        0 uses ``beta`` from the start.
    dropout : float, default=0.0
        Dropout in the towers, in [0, 1).
    alpha : float, default=1e-6
        L2 penalty (weight decay) on all weights but biases, non-negative.
    learning_rate : float, default=0.003
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping, in (0, 1).
    n_iter_no_change : int, default=3
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Least improvement of the monitored value that counts: relative for
        ``scoring="loss"``, absolute for a scorer.
    {categorical_features}
    {min_frequency}
    {random_state}
    {verbose}
    {device}
    {callbacks}
    {net_params}
    scoring : str or callable, default="loss"
        What early stopping and ``lr_schedule`` monitor on the validation data:
        ``"loss"`` (the model's loss), ``"auto"`` (``"roc_auc"`` for binary
        targets fitted without ``sample_weight`` whose validation data holds at
        least 100 rows of each class, else ``"loss"``), a scikit-learn scorer
        name such as ``"roc_auc"`` or ``"neg_log_loss"``, or a callable
        ``scorer(estimator, X_val, y_val)``. Higher scores are better.
    lr_schedule : {"plateau"} or None, default=None
        ``None``: a constant learning rate. ``"plateau"``: divide the learning
        rate by 10 after every epoch whose monitored value does not improve by
        more than 1e-6, down to 1e-6 (without validation data it watches the
        training loss).
    clip_grad_norm : float or None, default=None
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
    user_columns_ : ndarray of int
        Input columns of the user tower.
    item_columns_ : ndarray of int
        Input columns of the item tower.

    See Also
    --------
    VAERegressor : Supervised variational interaction regressor.
    MultVAE : Variational autoencoder for implicit feedback.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import VAEClassifier
    >>> X, y, _ = make_interaction_classification(n_samples=1000, random_state=0)
    >>> clf = VAEClassifier(latent_dim=4, max_epochs=3, random_state=0).fit(X, y)
    >>> clf.transform(X.iloc[:2]).shape
    (2, 4)
    """

    def __init__(
        self,
        embed_dim=10,
        *,
        user_features=None,
        item_features=None,
        tower_units=(64,),
        latent_dim=16,
        beta=1e-3,
        kl_warmup=0,
        dropout=0.0,
        alpha=1e-6,
        learning_rate=0.003,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=3,
        tol=1e-4,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="loss",
        lr_schedule=None,
        clip_grad_norm=None,
        numeric_bins=None,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            user_features=user_features,
            item_features=item_features,
            tower_units=tower_units,
            latent_dim=latent_dim,
            beta=beta,
            kl_warmup=kl_warmup,
            dropout=dropout,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


@fill_doc
class VAERegressor(FieldRegressorMixin, RegressorMixin, _VAEBase):
    """Supervised variational interaction model (regressor).

    Two towers read two groups of columns, ``user_features`` and
    ``item_features`` (by default the first column, and all the others). Each is
    an MLP over its fields' concatenated embeddings, giving ``u`` and ``v``. An
    interaction layer with separate weights per tower plus an element-wise
    product term, ``W_u u + W_v v + W_p (u * v) + b``, gives the mean ``mu`` and
    log-variance of a Gaussian latent ``z``. During training
    ``z = mu + sigma * eps`` feeds a linear output head; at predict time
    ``z = mu``. The loss is the prediction loss plus ``beta`` times the KL
    divergence of ``q(z | x)`` from ``N(0, I)`` (raised linearly from 0 over
    ``kl_warmup`` updates), plus the L2 penalty ``alpha``. ``transform``
    returns the latent means.

    The KL term makes ``z`` a smooth, low-dimensional summary of the user-item
    pair; with ``beta=0`` the model is a deterministic two-tower network. The
    target is standardised for training and predictions are mapped back to its
    units.

    Parameters
    ----------
    embed_dim : int, default=10
        Size of each field's embedding, at least 1.
    user_features : array-like or None, default=None
        Columns of the user tower (names, indices or a boolean mask); ``None``
        is the first column. A vector field (see ``vector_features``) may be
        named by its field name, and its columns always go to one tower
        together.
    item_features : array-like or None, default=None
        Columns of the item tower, as for ``user_features``; ``None`` is every
        column not in the user tower.
    tower_units : sequence of int, default=(64,)
        Hidden widths of each tower (non-empty, positive).
    latent_dim : int, default=16
        Size of the latent ``z``, at least 1.
    beta : float, default=1e-3
        Weight of the KL term, non-negative.
    kl_warmup : int, default=0
        Gradient updates over which the KL weight grows from 0 to ``beta``;
        0 uses ``beta`` from the start.
    dropout : float, default=0.0
        Dropout in the towers, in [0, 1).
    alpha : float, default=1e-6
        L2 penalty (weight decay) on all weights but biases, non-negative.
    learning_rate : float, default=0.003
        Step size of the optimizer, positive.
    {optimizer}
    {batch_size}
    {max_epochs}
    {early_stopping}
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping, in (0, 1).
    n_iter_no_change : int, default=3
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Least improvement of the monitored value that counts: relative for
        ``scoring="loss"``, absolute for a scorer.
    {categorical_features}
    {min_frequency}
    {random_state}
    {verbose}
    {device}
    {callbacks}
    {net_params}
    scoring : str or callable, default="loss"
        What early stopping and ``lr_schedule`` monitor on the validation data:
        ``"loss"`` or ``"auto"`` (both the model's loss, the squared error of
        the standardised target), a scikit-learn scorer name such as ``"r2"``,
        or a callable ``scorer(estimator, X_val, y_val)``. Higher scores are
        better.
    lr_schedule : {"plateau"} or None, default=None
        ``None``: a constant learning rate. ``"plateau"``: divide the learning
        rate by 10 after every epoch whose monitored value does not improve by
        more than 1e-6, down to 1e-6 (without validation data it watches the
        training loss).
    clip_grad_norm : float or None, default=None
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
    user_columns_ : ndarray of int
        Input columns of the user tower.
    item_columns_ : ndarray of int
        Input columns of the item tower.

    See Also
    --------
    VAEClassifier : Supervised variational interaction classifier.
    MultVAE : Variational autoencoder for implicit feedback.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import VAERegressor
    >>> X, y, _ = make_interaction_regression(n_samples=1000, random_state=0)
    >>> reg = VAERegressor(latent_dim=4, max_epochs=3, random_state=0).fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    """

    def __init__(
        self,
        embed_dim=10,
        *,
        user_features=None,
        item_features=None,
        tower_units=(64,),
        latent_dim=16,
        beta=1e-3,
        kl_warmup=0,
        dropout=0.0,
        alpha=1e-6,
        learning_rate=0.003,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=3,
        tol=1e-4,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="loss",
        lr_schedule=None,
        clip_grad_norm=None,
        numeric_bins=None,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            user_features=user_features,
            item_features=item_features,
            tower_units=tower_units,
            latent_dim=latent_dim,
            beta=beta,
            kl_warmup=kl_warmup,
            dropout=dropout,
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
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )
