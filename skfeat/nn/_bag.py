"""Pooling of multi-value (bag) fields: mean, sum, max and target attention."""

import torch
import torch.nn.functional as F
from torch import nn

from skfeat.nn._mlp import Linear, _cast


class TargetAttention(nn.Module):
    """DIN's local activation unit (Zhou et al., KDD 2018).

    Each history embedding ``h`` gets the weight ``a(h, t)``, an MLP over
    ``[h, t, h - t, h * t]`` with PReLU activations, where ``t`` is the target
    item's embedding; the pooled vector is ``sum_i a(h_i, t) h_i`` over the
    present items. As in the paper, the weights are not normalised by a
    softmax, so the pooled vector keeps how strongly the history relates to
    the target.

    Parameters
    ----------
    dim : int
        Embedding width.
    hidden_units : tuple of int, default=(64, 16)
        Widths of the MLP's hidden layers.

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._bag import TargetAttention
    >>> unit = TargetAttention(4)
    >>> history, target = torch.randn(2, 3, 4), torch.randn(2, 4)
    >>> mask = torch.tensor([[True, True, False], [True, False, False]])
    >>> unit(history, target, mask).shape
    torch.Size([2, 4])
    """

    def __init__(self, dim, hidden_units=(64, 16)):
        super().__init__()
        widths = [4 * int(dim), *[int(h) for h in hidden_units]]
        self.layers = nn.ModuleList(
            Linear(a, b) for a, b in zip(widths[:-1], widths[1:], strict=True)
        )
        self.slopes = nn.ParameterList(
            nn.Parameter(torch.full((1,), 0.25)) for _ in hidden_units
        )
        self.out = Linear(widths[-1], 1)

    def weights(self, history, target, mask):
        """Attention weight of each history item, ``(n, length)``; 0 if absent."""
        t = target.unsqueeze(1).expand_as(history)
        x = torch.cat([history, t, history - t, history * t], dim=-1)
        for layer, slope in zip(self.layers, self.slopes, strict=True):
            x = F.prelu(layer(x), _cast(slope, x))
        return self.out(x).squeeze(-1) * mask.to(x.dtype)

    def forward(self, history, target, mask):
        a = self.weights(history, target, mask)
        return (a.unsqueeze(-1) * history).sum(dim=1)


def pool(history, mask, pooling):
    """Mean, sum or elementwise max of the present rows of ``history``.

    Parameters
    ----------
    history : Tensor of shape (n, length, dim)
        Embeddings of each bag's items, padding included.
    mask : Tensor of bool, shape (n, length)
        Present items.
    pooling : {"mean", "sum", "max"}

    Returns
    -------
    pooled : Tensor of shape (n, dim)
        Zero for an empty bag.
    """
    m = mask.unsqueeze(-1)
    if pooling == "max":
        out = history.masked_fill(~m, float("-inf")).amax(dim=1)
        return torch.where(mask.any(dim=1, keepdim=True), out, torch.zeros_like(out))
    total = (history * m.to(history.dtype)).sum(dim=1)
    if pooling == "sum":
        return total
    return total / mask.sum(dim=1, keepdim=True).clamp(min=1).to(history.dtype)
