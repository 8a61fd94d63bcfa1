"""The cross network of DCN-v2 (Wang et al., WWW 2021)."""

from torch import nn

from skfeat.nn._mlp import Linear


class CrossNetV2(nn.Module):
    """Stack of DCN-v2 cross layers ``x_{l+1} = x_0 * (W_l x_l + b_l) + x_l``.

    Each layer raises the polynomial degree in the input by one, so ``n_layers``
    layers model feature crosses up to order ``n_layers + 1``.

    Parameters
    ----------
    in_features : int
        Width of ``x_0`` (the concatenated field embeddings).
    n_layers : int
        Number of cross layers (at least one).
    low_rank : int or None, default=None
        When given, each ``W_l`` is factorised as ``U_l V_l^T`` of this rank (the
        paper's low-rank DCN-Mix without experts): ``2 d r`` instead of ``d^2``
        parameters per layer.

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import CrossNetV2
    >>> cross = CrossNetV2(12, n_layers=2, low_rank=4)
    >>> cross(torch.randn(3, 12)).shape
    torch.Size([3, 12])
    """

    def __init__(self, in_features, n_layers, low_rank=None):
        super().__init__()
        if int(n_layers) < 1:
            raise ValueError(f"n_layers must be at least 1, got {n_layers!r}.")
        d = int(in_features)
        if low_rank is None:
            self.layers = nn.ModuleList(Linear(d, d) for _ in range(n_layers))
        else:
            self.layers = nn.ModuleList(
                nn.Sequential(
                    Linear(d, int(low_rank), bias=False), Linear(int(low_rank), d)
                )
                for _ in range(n_layers)
            )

    def forward(self, x0):
        x = x0
        for layer in self.layers:
            x = x0 * layer(x) + x
        return x
