"""Deep CTR models: DNN, Wide & Deep, DeepFM, DCN-v2 and AutoInt estimators."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from skfeat.models._base import (
    BaseFieldModel,
    FieldClassifierMixin,
    FieldRegressorMixin,
)
from skfeat.models._decomposition import Decomposition
from skfeat.models._fields import UNKNOWN_ID
from skfeat.models._fm import (
    _COMMON_ATTRS_DOC,
    _COMMON_PARAMS_DOC,
    _SPARSE_GRADIENTS_DOC,
    _with_bars_loop,
)
from skfeat.nn import DNN, AutoInt, DCNv2, DeepFM, WideDeep
from skfeat.nn._mlp import _ACTIVATIONS
from skfeat.utils._sklearn_compat import Interval, StrOptions
from skfeat.utils._validation import PositiveIntSequence

# the FM family's shared parameter text, with the deep models' learning rate and
# FuxiCTR's loop as the defaults (issue 13: measured on Frappe_x1, Adult and
# MovieLens-100K, docs/benchmarks.md)
_DEEP_COMMON_DOC = _with_bars_loop(
    _COMMON_PARAMS_DOC.replace(
        "learning_rate : float, default=0.01", "learning_rate : float, default=0.001"
    ).replace(
        "validation_fraction : float, default=0.1\n"
        "        Share of the training data held out for early stopping.",
        "validation_fraction : float, default=0.05\n"
        "        Share of the training data held out for early stopping. 5% rather\n"
        "        than 10%: on Frappe_x1 and MovieLens-100K the rows it gives back to\n"
        "        training were worth more than the steadier stopping (three seeds,\n"
        "        ``docs/benchmarks_archive.md``).",
    )
)

# sparse gradients and hashing: the FM family's text; the deep models' embedding
# L2 (alpha) then decays the rows a batch touches only, not the whole tables
_DEEP_SPARSE_DOC = (
    _SPARSE_GRADIENTS_DOC.rstrip("\n").replace(
        "``alpha`` then decays only the rows a batch touches.",
        "``alpha`` then decays only the rows a batch touches (not the whole\n"
        "        tables); the network's weights keep the dense update.",
    )
    + "\n"
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
        "hash_buckets": [Interval(Integral, 1, None, closed="left")],
    }

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
        )

    def _output_scale(self):
        if hasattr(self, "_target_scale"):
            return self._target_scale, self._target_mean
        return 1.0, 0.0


class _Decomposable:
    """``decompose(X)``: closed-form second-order part plus the deep remainder."""

    def decompose(self, X, *, output=None):
        """Split the model output on ``X`` into a second-order part and a remainder.

        The second-order part (bias, per-field and pair terms) is exact; the
        ``remainder`` is the deep part's output per row. :mod:`skfeat.explain`
        treats the first in closed form and samples only the remainder. The output
        is the logit for classifiers and the prediction for regressors.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)
        output : int or None, default=None
            Class index for multiclass classifiers (required there); ignored
            otherwise.

        Returns
        -------
        decomposition : Decomposition
        """
        check_is_fitted(self)
        n_outputs = self._n_outputs()
        if n_outputs > 1:
            if output is None:
                raise ValueError(
                    "decompose needs output= (a class index) for a multiclass model."
                )
            if not 0 <= int(output) < n_outputs:
                raise ValueError(f"output must be in [0, {n_outputs}), got {output}.")
        c = 0 if n_outputs == 1 else int(output)
        Xc = self._check_X(X, reset=False)
        data = self._dataset(Xc, None, None).to("cpu").inputs
        module = self.net_.module_.to("cpu")
        module.eval()  # also switches the module to float64
        with torch.no_grad():
            linear, emb, weights, bias, rest = self._module_terms(module, data, c)
        # the module lists categorical fields first; the protocol uses column order
        inverse = np.argsort(self.schema_.order)
        scale, shift = self._output_scale()
        if str(self.device) != "cpu":
            self.net_.module_.to(self.device)
        return Decomposition(
            bias=float(bias.detach()) * scale + shift,
            linear=linear.double().numpy()[:, inverse] * scale,
            embeddings=emb.double().numpy()[:, inverse],
            pair_weights=weights.double().numpy()[np.ix_(inverse, inverse)] * scale,
            feature_names=list(self.schema_.names),
            remainder=rest.double().numpy() * scale,
        )


_DEEP_PARAMS_DOC = """    embed_dim : int, default=32
        Size of each field's embedding. 32 rather than BARS's 10: over three
        seeds it gained 0.0014-0.0021 valid AUC on Frappe_x1 and 0.0007-0.0058
        test AUC on MovieLens-100K for every deep model, and moved Adult by less
        than its seed-to-seed spread (``docs/benchmarks_archive.md``, "Embedding
        size 32 for the deep models"). A table costs ``n_ids x embed_dim`` floats, and
        Adam two more of the same size: pass 10, the earlier default, for very
        large vocabularies.
    hidden_units : sequence of int, default=(400, 400, 400)
        Widths of the MLP's hidden layers (non-empty, positive).
    activation : {{"relu", "tanh", "sigmoid", "gelu", "leaky_relu", "identity"}}, \
default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.2
        Dropout rate after each hidden layer.
    batch_norm : bool, default=True
        Batch normalisation in each hidden layer.
{extra}    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables, applied to the
        *whole* tables at every step through the optimizer's weight decay: the
        semantics of FuxiCTR's ``embedding_regularizer`` (BARS Frappe_x1 uses
        0.05-0.1). Penalising only the rows of a batch instead costs about 0.006
        AUC on Frappe. With sparse gradients (``sparse_gradients``, automatic for
        tables of 1,000,000 rows or more) only the rows of a batch are penalised.
    net_alpha : float, default=0.0
        L2 penalty on the network's weights (not the biases), applied the same way
        (BARS's ``net_regularizer``)."""

_DEEP_DOC = """{summary}

{description}

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The defaults follow the BARS
    Frappe_x1 configurations (three layers of 400, batch norm, dropout 0.2, Adam
    with learning rate 1e-3, FuxiCTR embedding regularizer) with embeddings of 32
    instead of 10, and FuxiCTR's training loop (early stopping on validation ROC
    AUC for binary classifiers with patience 2, learning rate divided by 10 after
    each epoch without improvement, gradient norm clipped at 10) on a holdout of
    5% of the training rows.

    Parameters
    ----------
{deep_params}
{common}
    Attributes
    ----------
{extra_attrs}{attrs}
    See Also
    --------
    {see_also}

    Notes
    -----
    In eval mode (prediction) the network computes in float64, so a row's output
    does not depend on which rows share its batch.{notes}

    Examples
    --------
{example}
"""

_CLF_ATTRS = """    classes_ : ndarray of shape (n_classes,)
        Class labels.
"""


def _doc(cls, summary, description, see_also, example, extra="", notes=""):
    is_clf = issubclass(cls, ClassifierMixin)
    cls.__doc__ = _DEEP_DOC.format(
        summary=summary,
        description=description,
        deep_params=_DEEP_PARAMS_DOC.format(extra=extra),
        common=_DEEP_COMMON_DOC.lstrip("\n") + _DEEP_SPARSE_DOC,
        extra_attrs=_CLF_ATTRS if is_clf else "",
        attrs=_COMMON_ATTRS_DOC,
        see_also=see_also,
        notes=notes,
        example=example,
    )


# ----------------------------------------------------------------- DNN / W&D / DeepFM
class _MLPModelBase(_DeepBase):
    """The models whose only architecture parameters are the MLP's."""

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
    ):
        self.embed_dim = embed_dim
        self.hidden_units = hidden_units
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.alpha = alpha
        self.net_alpha = net_alpha
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.categorical_features = categorical_features
        self.min_frequency = min_frequency
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.callbacks = callbacks
        self.net_params = net_params
        self.scoring = scoring
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm
        self.numeric_bins = numeric_bins
        self.sparse_gradients = sparse_gradients
        self.categorical_encoding = categorical_encoding
        self.hash_buckets = hash_buckets
        self.vector_features = vector_features


class _DNNBase(_MLPModelBase):
    def _build_module(self, schema, n_outputs):
        return DNN(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            **self._mlp_kwargs(),
        )


class _WideDeepBase(_Decomposable, _MLPModelBase):
    def _build_module(self, schema, n_outputs):
        return WideDeep(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            **self._mlp_kwargs(),
        )

    def _module_terms(self, module, data, c):
        linear, emb = module.field_terms(data["cat"], data["num"], data.get("vec"))
        n, m = linear.shape[:2]
        # the wide part is first order: no pair terms
        zeros = torch.zeros(n, m, 1, dtype=linear.dtype)
        rest = module.mlp(emb.flatten(1))[:, c]
        return linear[:, :, c], zeros, torch.zeros(m, m), module.bias[c], rest


class _DeepFMBase(_Decomposable, _MLPModelBase):
    def _build_module(self, schema, n_outputs):
        return DeepFM(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            **self._mlp_kwargs(),
        )

    def _module_terms(self, module, data, c):
        linear, emb = module.field_terms(data["cat"], data["num"], data.get("vec"))
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
    ):
        self.embed_dim = embed_dim
        self.cross_layers = cross_layers
        self.low_rank = low_rank
        self.structure = structure
        self.hidden_units = hidden_units
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.alpha = alpha
        self.net_alpha = net_alpha
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.categorical_features = categorical_features
        self.min_frequency = min_frequency
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.callbacks = callbacks
        self.net_params = net_params
        self.scoring = scoring
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm
        self.numeric_bins = numeric_bins
        self.sparse_gradients = sparse_gradients
        self.categorical_encoding = categorical_encoding
        self.hash_buckets = hash_buckets
        self.vector_features = vector_features

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
    ):
        self.embed_dim = embed_dim
        self.attention_layers = attention_layers
        self.num_heads = num_heads
        self.attention_dim = attention_dim
        self.use_mlp = use_mlp
        self.residual = residual
        self.layer_norm = layer_norm
        self.use_scale = use_scale
        self.attention_dropout = attention_dropout
        self.hidden_units = hidden_units
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.alpha = alpha
        self.net_alpha = net_alpha
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.categorical_features = categorical_features
        self.min_frequency = min_frequency
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.callbacks = callbacks
        self.net_params = net_params
        self.scoring = scoring
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm
        self.numeric_bins = numeric_bins
        self.sparse_gradients = sparse_gradients
        self.categorical_encoding = categorical_encoding
        self.hash_buckets = hash_buckets
        self.vector_features = vector_features

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
            kwargs = {k: kwargs[k] for k in ("zero_ids", "sparse", "vector_dims")}
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
class DNNClassifier(FieldClassifierMixin, ClassifierMixin, _DNNBase):
    pass


class DNNRegressor(FieldRegressorMixin, RegressorMixin, _DNNBase):
    pass


class WideDeepClassifier(FieldClassifierMixin, ClassifierMixin, _WideDeepBase):
    pass


class WideDeepRegressor(FieldRegressorMixin, RegressorMixin, _WideDeepBase):
    pass


class DeepFMClassifier(FieldClassifierMixin, ClassifierMixin, _DeepFMBase):
    pass


class DeepFMRegressor(FieldRegressorMixin, RegressorMixin, _DeepFMBase):
    pass


class DCNClassifier(FieldClassifierMixin, ClassifierMixin, _DCNBase):
    pass


class DCNRegressor(FieldRegressorMixin, RegressorMixin, _DCNBase):
    pass


class AutoIntClassifier(FieldClassifierMixin, ClassifierMixin, _AutoIntBase):
    pass


class AutoIntRegressor(FieldRegressorMixin, RegressorMixin, _AutoIntBase):
    pass


def _example(cls_name, maker, extra=""):
    kind = "classification" if maker == "clf" else "regression"
    est = "clf" if maker == "clf" else "reg"
    out = (
        f"{est}.predict_proba(X.iloc[:2]).shape\n    (2, 2)"
        if maker == "clf"
        else f"{est}.predict(X.iloc[:3]).shape\n    (3,)"
    )
    return f"""    >>> from skfeat.datasets import make_interaction_{kind}
    >>> from skfeat.models import {cls_name}
    >>> X, y, truth = make_interaction_{kind}(n_samples=1000, random_state=0)
    >>> {est} = {cls_name}(hidden_units=(32,), max_epochs=3, random_state=0)
    >>> {est} = {est}.fit(X, y)
    >>> {out}{extra}"""


_DNN_DESC = """\
    An MLP over the concatenated field embeddings (the "DNN" baseline of the CTR
    literature): ``output = MLP(concat_i e(x_i))``."""
_WD_DESC = """\
    ``output = b + sum_i w(x_i) + MLP(concat_i e(x_i))`` (Cheng et al., DLRS 2016):
    a wide first-order part (one weight per category, value times a weight for a
    numeric field) plus a deep MLP over the field embeddings, trained jointly with
    one optimizer. Crossed columns for the wide part can be added beforehand with
    a feature-crossing transformer."""
_WD_NOTES = """

    ``decompose(X)`` returns the wide part in closed form (first order, no pair
    terms) and the deep part as ``remainder``, so
    :class:`~skfeat.explain.InteractionExplainer` computes the wide part exactly
    and samples only the deep part."""
_DFM_DESC = """\
    ``output = b + sum_i w(x_i) + sum_{i<j} <v(x_i), v(x_j)>
    + MLP(concat_i v(x_i))`` (Guo et al., IJCAI 2017): a factorization machine
    and an MLP that share the field embeddings."""
_DFM_NOTES = """

    ``decompose(X)`` returns the FM part in closed form and the MLP's output as
    ``remainder``, so :class:`~skfeat.explain.InteractionExplainer` computes the FM
    part exactly and samples only the deep part."""
_DCN_DESC = """    DCN-v2 (Wang et al., WWW 2021): a cross network
    ``x_{l+1} = x_0 * (W_l x_l + b_l) + x_l`` over the concatenated field
    embeddings ``x_0``, which models feature crosses up to order
    ``cross_layers + 1``, combined with an MLP (in parallel by default)."""
_DCN_EXTRA = """    cross_layers : int, default=3
        Number of cross layers.
    low_rank : int or None, default=None
        Rank of each cross layer's weight matrix (``W = U V^T``); ``None`` is full
        rank (``(fields x embed_dim)^2`` weights per layer).
    structure : {"parallel", "stacked", "crossnet_only"}, default="parallel"
        ``"parallel"``: cross network and MLP side by side, concatenated before the
        output layer; ``"stacked"``: the MLP on top of the cross network;
        ``"crossnet_only"``: no MLP (``hidden_units`` and the MLP options are
        ignored).
"""
_AI_DESC = """\
    AutoInt (Song et al., CIKM 2019): ``attention_layers`` layers of multi-head
    self-attention over the field embeddings, each with a residual connection,
    then a linear output over the concatenated fields. With ``use_mlp=True`` (the
    default) this is AutoInt+: an MLP over the embeddings runs in parallel and
    its output is added to the logit. Attention maps are diagnostics, not
    attributions; use :class:`~skfeat.explain.InteractionExplainer`."""
_AI_EXTRA = """    attention_layers : int, default=3
        Number of self-attention layers.
    num_heads : int, default=2
        Attention heads per layer; must divide ``attention_dim``.
    attention_dim : int, default=40
        Output width of each attention layer, all heads together.
    use_mlp : bool, default=True
        Add the parallel MLP (AutoInt+). With False, ``hidden_units`` and the MLP
        options are ignored (plain AutoInt).
    residual : bool, default=True
        Residual connections in the attention layers.
    layer_norm : bool, default=False
        Layer normalisation after each attention layer.
    use_scale : bool, default=False
        Scale the attention scores by ``1 / sqrt(attention_dim / num_heads)``.
    attention_dropout : float, default=0.0
        Dropout on the attention weights, in training only. FuxiCTR's AutoInt
        (which produced the BARS records) uses its network dropout here, so the
        BARS Frappe_x1 configuration has ``attention_dropout=0.1``.
"""

_doc(
    DNNClassifier,
    "MLP classifier over field embeddings (binary and multiclass).",
    _DNN_DESC,
    "DNNRegressor, DeepFMClassifier",
    _example("DNNClassifier", "clf"),
)
_doc(
    DNNRegressor,
    "MLP regressor over field embeddings.",
    _DNN_DESC,
    "DNNClassifier, DeepFMRegressor",
    _example("DNNRegressor", "reg"),
)
_doc(
    WideDeepClassifier,
    "Wide & Deep classifier (binary and multiclass).",
    _WD_DESC,
    "WideDeepRegressor, DeepFMClassifier",
    _example("WideDeepClassifier", "clf"),
    notes=_WD_NOTES,
)
_doc(
    WideDeepRegressor,
    "Wide & Deep regressor.",
    _WD_DESC,
    "WideDeepClassifier, DeepFMRegressor",
    _example("WideDeepRegressor", "reg"),
    notes=_WD_NOTES,
)
_doc(
    DeepFMClassifier,
    "DeepFM classifier (binary and multiclass).",
    _DFM_DESC,
    "DeepFMRegressor, FMClassifier, WideDeepClassifier",
    _example(
        "DeepFMClassifier",
        "clf",
        "\n    >>> dec = clf.decompose(X.iloc[:5])\n"
        "    >>> bool(abs(dec.output() - clf.decision_function(X.iloc[:5])).max()"
        " < 1e-8)\n    True",
    ),
    notes=_DFM_NOTES,
)
_doc(
    DeepFMRegressor,
    "DeepFM regressor.",
    _DFM_DESC,
    "DeepFMClassifier, FMRegressor",
    _example("DeepFMRegressor", "reg"),
    notes=_DFM_NOTES,
)
_doc(
    DCNClassifier,
    "Deep & Cross Network v2 classifier (binary and multiclass).",
    _DCN_DESC,
    "DCNRegressor, DeepFMClassifier",
    _example("DCNClassifier", "clf"),
    extra=_DCN_EXTRA,
)
_doc(
    DCNRegressor,
    "Deep & Cross Network v2 regressor.",
    _DCN_DESC,
    "DCNClassifier, DeepFMRegressor",
    _example("DCNRegressor", "reg"),
    extra=_DCN_EXTRA,
)
_doc(
    AutoIntClassifier,
    "AutoInt / AutoInt+ classifier (binary and multiclass).",
    _AI_DESC,
    "AutoIntRegressor, DCNClassifier",
    _example("AutoIntClassifier", "clf"),
    extra=_AI_EXTRA,
)
_doc(
    AutoIntRegressor,
    "AutoInt / AutoInt+ regressor.",
    _AI_DESC,
    "AutoIntClassifier, DCNRegressor",
    _example("AutoIntRegressor", "reg"),
    extra=_AI_EXTRA,
)
