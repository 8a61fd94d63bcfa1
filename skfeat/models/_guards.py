"""Guards of every fit: atomic calls, the divergence check, seeded torch."""

import copy

import torch

from skfeat.exceptions import DivergenceError
from skfeat.models._engine import check_finite_parameters


class _RestoreOnError:
    """Make ``fit``/``partial_fit`` atomic: on any exception, undo every change.

    The estimator's attributes are restored from a shallow copy (``fit`` builds
    new encoders and a new net, so the old objects are never touched); when
    training continues on an existing net (``partial_fit``), the weights, the
    optimizer state and the history are copied first and put back.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def __enter__(self):
        est = self.estimator
        self._attrs = dict(est.__dict__)
        self._net_state = None
        net = est.__dict__.get("net_")
        if net is not None and getattr(net, "initialized_", False):
            self._net_state = (
                net,
                {k: v.detach().clone() for k, v in net.module_.state_dict().items()},
                copy.deepcopy(net.optimizer_.state_dict()),
                len(net.history),
            )
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            return False
        est = self.estimator
        est.__dict__.clear()
        est.__dict__.update(self._attrs)
        if self._net_state is not None:
            net, weights, optim, n_epochs = self._net_state
            with torch.no_grad():
                net.module_.load_state_dict(weights)
            net.optimizer_.load_state_dict(optim)
            del net.history[n_epochs:]
        return False


#: rows of the training data whose outputs are checked after every fit call
PROBE_ROWS = 256


class _DivergenceContext:
    """Turn the engine's divergence signal into an error that names the fix.

    After the call the weights must be finite, and so must the model's outputs on
    the first ``PROBE_ROWS`` training rows: weights can stay finite yet be so large
    that every prediction overflows (SGD without gradient clipping on a batch far
    outside the training scale), which only a forward pass shows.
    """

    def __init__(self, estimator, probe=None):
        self.estimator = estimator
        self.probe = probe

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                check_finite_parameters(self.estimator.net_.module_)
                self._check_finite_outputs()
            except DivergenceError as err:
                raise self._explained(err) from None
            return False
        if issubclass(exc_type, DivergenceError):
            raise self._explained(exc) from None
        return False

    def _check_finite_outputs(self):
        batch = _first_rows(self.probe)
        if batch is None:
            return
        net = self.estimator.net_
        inputs = {k: v for k, v in batch.items() if k != "sample_weight"}
        was_training = net.module_.training
        net.module_.eval()
        try:
            with torch.no_grad():
                out = net.module_(**inputs)
        finally:
            net.module_.train(was_training)
        tensors = out if isinstance(out, (tuple, list)) else (out,)
        for t in tensors:
            if torch.is_tensor(t) and t.is_floating_point():
                if not bool(torch.isfinite(t).all()):
                    raise DivergenceError(
                        "training left weights so large that the model's outputs on "
                        "its own training rows are not finite."
                    )

    def _explained(self, exc):
        est = self.estimator
        hint = f"Lower learning_rate (now {est.learning_rate!r})"
        if getattr(est, "optimizer", None) == "sgd":
            hint += " or use optimizer='adam'"
        if "clip_grad_norm" in est.get_params() and est.clip_grad_norm is None:
            hint += ", or clip gradients (clip_grad_norm=10)"
        return DivergenceError(
            f"{type(est).__name__} diverged: {exc} {hint}. The estimator is left as "
            "it was before this call."
        )


class _SeededTorch:
    """Context manager: fork torch's RNG, seed it, restore it on exit."""

    def __init__(self, seed, device):
        self.seed = seed
        device = torch.device(device)
        self.devices = [device] if device.type == "cuda" else []
        self._fork = None

    def __enter__(self):
        self._fork = torch.random.fork_rng(devices=self.devices)
        self._fork.__enter__()
        torch.manual_seed(self.seed)
        return self

    def __exit__(self, *exc):
        return self._fork.__exit__(*exc)


def _first_rows(dataset):
    """The inputs of the first ``PROBE_ROWS`` rows of a training dataset (in
    memory or streamed from files), or None."""
    if dataset is None:
        return None
    if hasattr(dataset, "slice"):
        if len(dataset) == 0 or dataset.is_sparse:
            return None
        X, _ = dataset.slice(0, min(PROBE_ROWS, len(dataset)))
        return X
    if hasattr(dataset, "iter_batches"):
        for X, _ in dataset.iter_batches(PROBE_ROWS, False):
            return X
    return None
