"""Checks shared by every skfeat estimator: devices, value ranges, sequences.

The value limits exist because every model computes in float32: a number that is
finite in float64 can still overflow there, or make a product of two inputs
overflow, and then turn the weights into NaN for good. The rule, documented in the
user guide's Reliability page:

* any raw number must lie within float32's range, ``|x| <= FLOAT32_MAX``;
* every number that reaches a network lies within ``MAX_ABS_MODEL_INPUT``
  (one million): standardised numeric columns are clipped there (with a warning),
  unscaled values (sparse input) and standardised regression targets beyond it are
  rejected.
"""

import warnings
from numbers import Integral

import numpy as np
import torch

from skfeat.utils._sklearn_compat import HasMethods, _Constraint

#: Largest finite float32 number; raw inputs beyond it cannot be represented.
FLOAT32_MAX = float(np.finfo(np.float32).max)

#: Bound on any number fed to a network (a standardised value, a sparse value, a
#: standardised target). Products of two such numbers stay far inside float32.
MAX_ABS_MODEL_INPUT = 1e6


def available_devices():
    """Torch devices that exist in this process, as strings."""
    devices = ["cpu"]
    if torch.cuda.is_available():
        n = torch.cuda.device_count()
        devices += ["cuda"] + [f"cuda:{i}" for i in range(n)]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    return devices


def check_device(device, name="device"):
    """Raise a ``ValueError`` unless ``device`` names a torch device that exists here.

    Parameters
    ----------
    device : str or torch.device
    name : str, default="device"
        Parameter name used in the message.

    Returns
    -------
    device : torch.device

    Examples
    --------
    >>> from skfeat.utils._validation import check_device
    >>> check_device("cpu")
    device(type='cpu')
    >>> check_device("gpu")
    Traceback (most recent call last):
    ...
    ValueError: device='gpu' is not a torch device. Devices here: ['cpu'...].
    """
    here = available_devices()
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"{name}={device!r} is not a torch device. Devices here: {here}."
        ) from None
    if dev.type == "cpu":
        return dev
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"{name}={device!r} asks for a CUDA GPU, but this torch build "
                f"({torch.__version__}) sees none. Devices here: {here}."
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(
                f"{name}={device!r}: there are only {torch.cuda.device_count()} "
                f"CUDA devices. Devices here: {here}."
            )
        return dev
    if dev.type == "mps" and f"{dev.type}" in here:
        return dev
    raise ValueError(f"{name}={device!r} is not available here. Devices here: {here}.")


def check_float32_range(values, what, limit=FLOAT32_MAX):
    """Raise a ``ValueError`` naming ``what`` if a finite value exceeds ``limit``.

    NaN is left alone (missing values are handled by the caller).
    """
    values = np.asarray(values)
    if values.size == 0 or values.dtype.kind not in "fiu":
        return
    with np.errstate(invalid="ignore"):
        big = np.abs(values) > limit
    if big.any():
        example = values[big].ravel()[0]
        raise ValueError(
            f"{what} holds {example!r}, beyond the range skfeat accepts "
            f"(|value| <= {limit:.3g}): models compute in float32, where it would "
            "overflow. Rescale it (for example with a log or a scaler) or drop the "
            "row."
        )


def clip_model_input(values, names):
    """Clip standardised values to ``MAX_ABS_MODEL_INPUT``, warning per column."""
    limit = MAX_ABS_MODEL_INPUT
    with np.errstate(invalid="ignore"):
        beyond = np.abs(values) > limit
    if beyond.any():
        cols = [names[j] for j in np.flatnonzero(beyond.any(axis=0))]
        warnings.warn(
            f"Numeric column(s) {cols} hold values more than {limit:.0e} standard "
            "deviations away from the training data; they are clipped to that "
            "bound (see the Reliability page of the user guide).",
            UserWarning,
            stacklevel=4,
        )
        values = np.clip(values, -limit, limit)
    return values


def normalized_sample_weight(sample_weight):
    """Divide the weights by their maximum, in float32.

    The loss is a weighted mean, so the scale of the weights has no effect; dividing
    by the maximum keeps any finite float64 weights finite in float32.
    """
    top = float(np.max(sample_weight)) if len(sample_weight) else 0.0
    if top > 0 and np.isfinite(top):
        sample_weight = sample_weight / top
    return sample_weight.astype(np.float32)


class PositiveIntSequence(HasMethods):
    """Constraint: a non-empty sequence of positive integers (layer widths).

    Floats (even integral ones such as ``64.0``), booleans, strings, zero and
    negative numbers are rejected, so every ``*_units`` parameter of every model
    gives the same ``InvalidParameterError``. It derives from ``HasMethods`` only
    because scikit-learn's ``make_constraint`` accepts a fixed list of constraint
    classes; none of ``HasMethods``' behaviour is used.
    """

    def __init__(self, allow_empty=False):
        _Constraint.__init__(self)
        self.methods = []
        self.allow_empty = allow_empty

    def is_satisfied_by(self, val):
        if isinstance(val, str | bytes | dict | set) or not hasattr(val, "__len__"):
            return False
        try:
            items = list(val)
        except TypeError:
            return False
        if not items and not self.allow_empty:
            return False
        return all(
            isinstance(u, Integral | np.integer)
            and not isinstance(u, bool | np.bool_)
            and u >= 1
            for u in items
        )

    def __str__(self):
        kind = "a sequence" if self.allow_empty else "a non-empty sequence"
        return f"{kind} of positive integers (for example (64, 32))"


#: Most ids per hashed field: every id (with the reserved ones) fits in 32 bits.
#: Larger counts are refused when the parameter is validated rather than failing
#: to allocate a table of ``hash_buckets * embed_dim`` floats per field.
MAX_HASH_BUCKETS = 2**31 - 3


class IntInRange(HasMethods):
    """Constraint: an integer in ``[low, high]``, booleans excluded.

    scikit-learn's ``Interval(Integral, ...)`` accepts ``True`` as 1; a count
    such as ``hash_buckets`` should not. Derives from ``HasMethods`` for the
    reason given in :class:`PositiveIntSequence`.
    """

    def __init__(self, low, high):
        _Constraint.__init__(self)
        self.methods = []
        self.low = low
        self.high = high

    def is_satisfied_by(self, val):
        return (
            isinstance(val, Integral | np.integer)
            and not isinstance(val, bool | np.bool_)
            and self.low <= val <= self.high
        )

    def __str__(self):
        return f"an int in the range [{self.low}, {self.high}] (not a bool)"


def as_units(value):
    """Layer widths as a list of ints (after ``PositiveIntSequence`` passed)."""
    return [int(u) for u in value]


def check_weight_shapes(build, weights, owner):
    """Raise a ``ValueError`` unless ``weights`` fit the module ``build()`` makes.

    ``build`` runs on PyTorch's meta device, so the shapes that the declared sizes
    (cardinalities, ``embed_dim``, hidden units ...) give every parameter and
    buffer are computed without allocating their memory: a file that declares
    sizes its weights do not have is refused before anything of that size exists.

    Parameters
    ----------
    build : callable
        Returns the module the weights are meant for.
    weights : dict of str to Tensor
        A state dict, e.g. read from a file.
    owner : str
        Name of the estimator, for the message.

    Examples
    --------
    >>> import torch
    >>> from skfeat.utils._validation import check_weight_shapes
    >>> weights = {"weight": torch.zeros(3, 2), "bias": torch.zeros(3)}
    >>> check_weight_shapes(lambda: torch.nn.Linear(2, 3), weights, "Net")
    >>> check_weight_shapes(lambda: torch.nn.Linear(2, 10**9), weights, "Net")
    Traceback (most recent call last):
    ...
    ValueError: The parameters of Net declare 'weight' of shape (1000000000, 2), \
but the file stores shape (3, 2); 'bias' of shape (1000000000,), but the file \
stores shape (3,).
    """
    with torch.device("meta"):
        module = build()
    expected = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    stored = {k: tuple(v.shape) for k, v in weights.items()}
    if expected == stored:
        return
    problems = [
        f"{k!r} of shape {expected[k]}, but the file stores shape {stored[k]}"
        for k in expected
        if k in stored and expected[k] != stored[k]
    ]
    missing = [k for k in expected if k not in stored]
    extra = [k for k in stored if k not in expected]
    if missing:
        problems.append(f"weights {missing[:5]} that the file does not store")
    if extra:
        problems.append(f"no weights {extra[:5]}, which the file stores")
    raise ValueError(
        f"The parameters of {owner} declare " + "; ".join(problems[:4]) + "."
    )
