"""Weight averaging over epochs (stochastic weight averaging) as a skorch callback."""

from numbers import Integral

import torch
from skorch.callbacks import Callback


class WeightAveraging(Callback):
    """Replace the trained weights by their average over the last epochs.

    Stochastic weight averaging (Izmailov et al., 2018, "Averaging Weights Leads
    to Wider Optima and Better Generalization"): the weights at the end of epoch
    ``start`` and of every later epoch are averaged, and when training ends the
    model's parameters are set to that average; the running statistics of its
    batch-norm layers are then recomputed with one pass over the training rows
    (they were gathered for the weights of each step, not for their average).
    Train at a constant learning rate for it (``lr_schedule=None``): the
    average of weights spread along the path of a constant rate generalises
    better than the last of them.

    Pass it in an estimator's ``callbacks`` (in-memory and file fits,
    ``partial_fit``, ``distill``, ``fit_private`` and ``skfeat.io`` files keep
    it; ``fit_distributed`` across several processes refuses it); early
    stopping must be off
    (``early_stopping=False``), since it would put back the weights of its best
    epoch in place of the average. The sum is kept in float64, one copy of every
    parameter (embedding tables included) while training runs; a fitted model
    keeps nothing of it. Each ``fit`` (and each ``partial_fit`` call) averages its
    own epochs, counted as in the training history.

    Parameters
    ----------
    start : int >= 1, default=1
        The first epoch whose end-of-epoch weights enter the average. A fit that
        ends before it keeps its last weights.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import DNNClassifier, WeightAveraging
    >>> X, y, _ = make_interaction_classification(1000, 6, random_state=0)
    >>> dnn = DNNClassifier(embed_dim=4, hidden_units=(16,), batch_norm=True,
    ...                     max_epochs=4, early_stopping=False,
    ...                     callbacks=[WeightAveraging(start=2)],
    ...                     random_state=0).fit(X, y)
    >>> dnn.predict_proba(X[:2]).shape
    (2, 2)
    """

    def __init__(self, start=1):
        self.start = start

    def __repr__(self):
        return f"{type(self).__name__}(start={self.start!r})"

    def initialize(self):
        """Check ``start`` and forget any earlier sums.

        Returns
        -------
        self : WeightAveraging
            This callback.
        """
        if isinstance(self.start, bool) or not isinstance(self.start, Integral):
            raise TypeError(
                f"WeightAveraging's start must be an int >= 1, got {self.start!r}."
            )
        if self.start < 1:
            raise ValueError(
                f"WeightAveraging's start must be an int >= 1, got {self.start}."
            )
        self._clear()
        return self

    def _clear(self):
        self.sums_ = None
        self.count_ = 0
        self.dataset_ = None

    def on_train_begin(self, net, **kwargs):
        """Start a new average; refuse early stopping that restores weights.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        **kwargs : dict
            The event's other arguments (skorch's).
        """
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            if torch.distributed.get_world_size() > 1:
                # each process would recompute the batch-norm statistics on
                # its own shard only
                raise ValueError(
                    "WeightAveraging does not run across processes "
                    "(fit_distributed with several processes); fit in one "
                    "process, in memory or from files."
                )
        stopping = dict(net.callbacks_).get("early_stopping")
        if stopping is not None and getattr(stopping, "load_best", False):
            raise ValueError(
                "WeightAveraging needs early_stopping=False: early stopping puts "
                "back the weights of its best epoch at the end of training, in "
                "place of the average."
            )
        self._clear()

    def on_epoch_end(self, net, dataset_train=None, **kwargs):
        """Add the weights of the epoch just ended, from epoch ``start`` on.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        dataset_train : Dataset or None, default=None
            The training rows, kept for the batch-norm pass at the end.
        **kwargs : dict
            The event's other arguments (skorch's).
        """
        self.dataset_ = dataset_train
        if len(net.history) < self.start:
            return
        with torch.no_grad():
            params = [p.detach() for p in net.module_.parameters()]
            if self.sums_ is None:
                self.sums_ = [p.to(torch.float64, copy=True) for p in params]
            else:
                for total, p in zip(self.sums_, params, strict=True):
                    total.add_(p)
        self.count_ += 1

    def on_train_end(self, net, **kwargs):
        """Load the average and recompute the batch-norm statistics.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        **kwargs : dict
            The event's other arguments (skorch's).
        """
        try:
            if self.count_:
                self._load_average(net)
        finally:
            self._clear()  # a fitted model carries neither the sums nor the rows

    def _load_average(self, net):
        module = net.module_
        with torch.no_grad():
            for p, total in zip(module.parameters(), self.sums_, strict=True):
                p.copy_((total / self.count_).to(p.dtype))
        norms = [
            m
            for m in module.modules()
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
            and m.track_running_stats
        ]
        if not norms or self.dataset_ is None:
            return
        # batch-norm statistics of the averaged weights: a cumulative average
        # over one pass of the training rows (momentum None), in training mode
        # as they were gathered
        momenta = [m.momentum for m in norms]
        was_training = module.training
        for m in norms:
            m.reset_running_stats()
            m.momentum = None
        module.train()
        try:
            with torch.no_grad():
                for X, _ in net.get_iterator(self.dataset_, training=False):
                    net.infer(X)
        finally:
            for m, momentum in zip(norms, momenta, strict=True):
                m.momentum = momentum
            module.train(was_training)
