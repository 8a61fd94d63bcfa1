"""The MLP block shared by the deep models, and dtype-following layers.

Every layer here computes in the dtype of its *input*, casting its float32
parameters on the fly (a no-op in training, where the input is float32). The deep
model modules switch to float64 in eval mode: a BLAS float32 matrix product can
round differently depending on how many rows share the call, so a row's float32
prediction would depend on its batch; in float64 those differences are ~1e-16 and
vanish below any tolerance that matters.
"""

import weakref
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "leaky_relu": nn.LeakyReLU,
    "identity": nn.Identity,
}


#: id(parameter) -> (weak reference to it, (version, storage address, dtype),
#: its copy in that dtype); an entry goes when its parameter does
_CAST_COPIES = {}


def _cast(t, x):
    """``t`` in the dtype of ``x``.

    Outside autograd (predictions, explanations) the copy of a parameter is
    kept and reused until the parameter changes in place (its version
    counter moves) or gets new storage: casting every weight to float64 is
    otherwise a large part of a one-row prediction.
    Under autograd, and while torch traces the module (``torch.export``,
    ``torch.compile``), the cast is made on every call. A write through
    ``parameter.data`` bypasses the version counter and is not seen: change
    parameters in place under ``torch.no_grad()`` instead (as optimizers and
    ``load_state_dict`` do).
    """
    if t is None or t.dtype == x.dtype:
        return t
    if (
        not isinstance(t, nn.Parameter)  # buffers: batch norm's running
        # statistics change inside its kernel, which moves no version counter
        or torch.is_grad_enabled()
        or torch.compiler.is_compiling()
    ):
        return t.to(x.dtype)
    try:
        key = (t._version, t.data_ptr(), x.dtype)
    except RuntimeError:  # a tensor without storage (functorch, meta)
        return t.to(x.dtype)
    address = id(t)
    hit = _CAST_COPIES.get(address)
    if hit is None or hit[0]() is not t or hit[1] != key:
        ref = weakref.ref(t, lambda _: _CAST_COPIES.pop(address, None))
        hit = _CAST_COPIES[address] = (ref, key, t.detach().to(x.dtype))
    return hit[2]


_EVAL_DTYPE = {"dtype": torch.float64}


def eval_dtype(module, x):
    """``x`` as float64 when ``module`` is in eval mode, unchanged in training.

    Inside :func:`eval_precision` the eval-mode dtype is the one given there.
    """
    return x if module.training else x.to(_EVAL_DTYPE["dtype"])


@contextmanager
def eval_precision(dtype):
    """Evaluate the deep modules in ``dtype`` (e.g. float32 for explanations).

    Not thread-safe: the setting is process-wide while the context is open.
    """
    old = _EVAL_DTYPE["dtype"]
    _EVAL_DTYPE["dtype"] = dtype
    try:
        yield
    finally:
        _EVAL_DTYPE["dtype"] = old


def _native_bf16():
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch build without oneDNN
        return False


#: whether this CPU multiplies bfloat16 matrices natively (AVX512-BF16 or AMX),
#: where :func:`fast_matmuls` runs an MLP's products in bfloat16
NATIVE_BF16 = _native_bf16()


def fast_matmuls(x):
    """Context in which the MLP's matrix products run in bfloat16 on this CPU.

    For training steps on the large-table path: on a CPU with native bfloat16
    products the MLP's forward and backward take a third of the float32 time.
    The products are rounded to bfloat16 and accumulated in float32, the
    weights and their updates stay float32, and evaluation (float64, see
    :func:`eval_dtype`) is not affected. Elsewhere (another CPU, a GPU) it does
    nothing.

    Parameters
    ----------
    x : Tensor
        The MLP's input, which says the device.

    Returns
    -------
    context : context manager
    """
    enabled = NATIVE_BF16 and x.device.type == "cpu" and x.dtype == torch.float32
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=enabled)


class Linear(nn.Linear):
    """``nn.Linear`` that computes in the dtype of its input."""

    def forward(self, x):
        return F.linear(x, _cast(self.weight, x), _cast(self.bias, x))


class BatchNorm1d(nn.BatchNorm1d):
    """``nn.BatchNorm1d`` that computes in the dtype of its input.

    A training batch of a single row (the last, short batch of an epoch) cannot
    give batch statistics; it is normalised with the running statistics instead
    of raising, so any ``batch_size`` works.
    """

    def forward(self, x):
        use_batch = self.training and x.shape[0] > 1
        if use_batch:
            return super().forward(x)
        return F.batch_norm(
            x,
            _cast(self.running_mean, x),
            _cast(self.running_var, x),
            _cast(self.weight, x),
            _cast(self.bias, x),
            False,
            0.0,
            self.eps,
        )


class LayerNorm(nn.LayerNorm):
    """``nn.LayerNorm`` that computes in the dtype of its input."""

    def forward(self, x):
        return F.layer_norm(
            x, self.normalized_shape, _cast(self.weight, x), _cast(self.bias, x),
            self.eps,
        )  # fmt: skip


def make_activation(name):
    """Return a fresh activation module named ``name``."""
    try:
        return _ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}; expected one of {sorted(_ACTIVATIONS)}."
        ) from None


class MLP(nn.Module):
    """Fully connected tower: ``[Linear -> BatchNorm -> activation -> Dropout] * L``.

    Parameters
    ----------
    in_features : int
        Width of the input.
    hidden_units : sequence of int
        Width of each hidden layer (at least one).
    activation : str, default="relu"
        One of ``"relu"``, ``"tanh"``, ``"sigmoid"``, ``"gelu"``, ``"leaky_relu"``,
        ``"identity"``.
    dropout : float, default=0.0
        Dropout rate after each hidden layer.
    batch_norm : bool, default=False
        Batch normalisation before each activation.
    out_features : int or None, default=None
        When given, a final linear layer to this width (no activation).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import MLP
    >>> mlp = MLP(6, [8, 4], dropout=0.1, batch_norm=True, out_features=1)
    >>> mlp(torch.randn(5, 6)).shape
    torch.Size([5, 1])
    """

    def __init__(
        self, in_features, hidden_units, activation="relu", dropout=0.0,
        batch_norm=False, out_features=None,
    ):  # fmt: skip
        super().__init__()
        hidden_units = [int(u) for u in hidden_units]
        if not hidden_units or min(hidden_units) < 1:
            raise ValueError(
                f"hidden_units must be a non-empty sequence of positive integers, "
                f"got {hidden_units!r}."
            )
        layers = []
        width = int(in_features)
        for units in hidden_units:
            layers.append(Linear(width, units))
            if batch_norm:
                layers.append(BatchNorm1d(units))
            layers.append(make_activation(activation))
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = units
        if out_features is not None:
            layers.append(Linear(width, int(out_features)))
            width = int(out_features)
        self.layers = nn.Sequential(*layers)
        self.out_features = width

    def forward(self, x):
        return self.layers(x)


def glorot_init_(*modules):
    """Glorot-normal weights and zero biases for every ``nn.Linear`` in ``modules``.

    The deep CTR modules start from this initialisation (and embeddings drawn
    with standard deviation 1e-4) because FuxiCTR's ``BaseModel.init_weights``
    does, and the BARS records we measure against were trained from it (see
    ``docs/benchmarks_archive.md`` for what it changes on Frappe_x1).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._mlp import MLP, glorot_init_
    >>> mlp = glorot_init_(MLP(6, [8], out_features=1))
    >>> float(mlp.layers[0].bias.abs().sum())
    0.0
    """
    for module in modules:
        for layer in module.modules():
            if isinstance(layer, nn.Linear):
                nn.init.xavier_normal_(layer.weight)
                if layer.bias is not None:
                    nn.init.zeros_(layer.bias)
    return modules[0] if len(modules) == 1 else modules


def squeeze_outputs(logits, n_outputs):
    """``(n,)`` logits for one output, ``(n, C)`` otherwise (as :class:`FM`)."""
    return logits.squeeze(-1) if n_outputs == 1 else logits
