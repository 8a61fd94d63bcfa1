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


class _DivergenceContext:
    """Turn the engine's divergence signal into an error that names the fix."""

    def __init__(self, estimator):
        self.estimator = estimator

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                check_finite_parameters(self.estimator.net_.module_)
            except DivergenceError as err:
                raise self._explained(err) from None
            return False
        if issubclass(exc_type, DivergenceError):
            raise self._explained(exc) from None
        return False

    def _explained(self, exc):
        est = self.estimator
        hint = f"Lower learning_rate (now {est.learning_rate!r})"
        if getattr(est, "optimizer", None) == "sgd":
            hint += " or use optimizer='adam'"
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
