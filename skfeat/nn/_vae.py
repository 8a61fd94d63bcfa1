"""Variational modules: Mult-VAE for implicit feedback (pure torch)."""

import torch
from torch import nn
from torch.nn import functional as F

from skfeat.nn._embedding import FieldEmbedding
from skfeat.nn._mlp import MLP, Linear


def gaussian_kl(mu, log_var):
    """KL(N(mu, exp(log_var)) || N(0, I)) per row, summed over latent dimensions."""
    return 0.5 * (mu.pow(2) + log_var.exp() - 1.0 - log_var).sum(dim=-1)


class MultVAEModule(nn.Module):
    """Mult-VAE (Liang et al., WWW 2018): a VAE with a multinomial likelihood.

    The encoder maps a user's L2-normalised, dropped-out item vector through tanh
    layers to ``mu`` and ``log_var``; the decoder maps ``z`` back to one logit per
    item. ``forward`` returns ``(logits, mu, log_var)``; in training mode ``z`` is
    sampled with the reparameterisation trick, in eval mode ``z = mu``.

    Parameters
    ----------
    n_items : int
    hidden_units : sequence of int
        Widths of the encoder's hidden layers (the decoder mirrors them).
    latent_dim : int
    dropout : float
        Input dropout, as in the paper.
    """

    def __init__(self, n_items, hidden_units, latent_dim, dropout):
        super().__init__()
        dims = [int(n_items), *[int(h) for h in hidden_units]]
        self.encoder = nn.ModuleList(
            nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])
        )
        self.to_latent = nn.Linear(dims[-1], 2 * int(latent_dim))
        back = [int(latent_dim), *dims[::-1]]
        self.decoder = nn.ModuleList(
            nn.Linear(a, b) for a, b in zip(back[:-1], back[1:])
        )
        self.dropout = nn.Dropout(dropout)
        self.latent_dim = int(latent_dim)
        for layer in [*self.encoder, self.to_latent, *self.decoder]:
            nn.init.xavier_uniform_(layer.weight)
            nn.init.normal_(layer.bias, std=0.001)

    def encode(self, x):
        h = self.dropout(F.normalize(x, dim=1))
        for layer in self.encoder:
            h = torch.tanh(layer(h))
        mu, log_var = self.to_latent(h).chunk(2, dim=1)
        return mu, log_var

    def forward(self, x):
        mu, log_var = self.encode(x)
        if self.training:
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * log_var)
        else:
            z = mu
        h = z
        for i, layer in enumerate(self.decoder):
            h = layer(h)
            if i < len(self.decoder) - 1:
                h = torch.tanh(h)
        return h, mu, log_var


class SupervisedVAE(nn.Module):
    """Supervised variational interaction model over two groups of fields.

    A user tower and an item tower (MLPs over the concatenated embeddings of their
    fields) give ``u`` and ``v``; an interaction layer with separate weights per
    tower plus an element-wise product term, ``W_u u + W_v v + W_p (u * v) + b``,
    gives ``mu`` and ``log_var`` of a Gaussian latent ``z``. In training ``z`` is
    sampled (reparameterisation) and the KL divergence to ``N(0, I)`` is kept for
    :meth:`extra_loss`; in eval mode ``z = mu``. A linear head maps ``z`` to the
    logits. Computes in float64 in eval mode (see :mod:`skfeat.nn._mlp`).

    Parameters
    ----------
    cardinalities, n_numeric, embed_dim
        As for :class:`~skfeat.nn.FieldEmbedding`.
    user_fields, item_fields : sequence of int
        Positions (in the embedding's field order) of each tower's fields.
    tower_units : sequence of int
    latent_dim : int
    n_outputs : int, default=1
    beta : float, default=1.0
        Weight of the KL term.
    warmup_steps : int, default=0
        Updates over which the KL weight grows linearly from 0 to ``beta``.
    dropout : float, default=0.0
    init_std : float, default=0.01
    zero_ids : sequence of int, default=()
    vector_dims : sequence of int, default=()
        Length of each vector field (see :class:`~skfeat.nn.FieldEmbedding`);
        their values come as ``vec`` after the numeric fields.
    bags, bag_cardinalities : sequence, default=()
        Bag (multi-value) fields and the ids of those with their own
        vocabulary (see :class:`~skfeat.nn.FieldEmbedding`).
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, user_fields, item_fields,
        tower_units, latent_dim, n_outputs=1, beta=1.0, warmup_steps=0,
        dropout=0.0, init_std=0.01, zero_ids=(), vector_dims=(), bags=(),
        bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        self.embedding = FieldEmbedding(
            cardinalities, n_numeric, embed_dim, init_std, zero_ids,
            vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities,
        )  # fmt: skip
        self.register_buffer("user_fields", torch.as_tensor(list(user_fields)))
        self.register_buffer("item_fields", torch.as_tensor(list(item_fields)))
        k = int(embed_dim)
        self.user_tower = MLP(len(user_fields) * k, tower_units, dropout=dropout)
        self.item_tower = MLP(len(item_fields) * k, tower_units, dropout=dropout)
        width = self.user_tower.out_features
        self.latent_dim = int(latent_dim)
        self.user_map = Linear(width, 2 * self.latent_dim)
        self.item_map = Linear(width, 2 * self.latent_dim, bias=False)
        self.product_map = Linear(width, 2 * self.latent_dim, bias=False)
        self.head = Linear(self.latent_dim, int(n_outputs))
        self.n_outputs = int(n_outputs)
        self.beta = float(beta)
        self.warmup_steps = int(warmup_steps)
        self.register_buffer("steps", torch.zeros((), dtype=torch.int64))
        self._kl = None

    def encode(self, cat, num, vec=None, bag=None):
        """Return ``(mu, log_var)``, each ``(n, latent_dim)``."""
        emb = self.embedding(cat, num, vec, bag)
        if not self.training:
            emb = emb.double()
        u = self.user_tower(emb[:, self.user_fields].flatten(1))
        v = self.item_tower(emb[:, self.item_fields].flatten(1))
        h = self.user_map(u) + self.item_map(v) + self.product_map(u * v)
        mu, log_var = h.chunk(2, dim=1)
        return mu, log_var.clamp(-10.0, 10.0)

    def current_beta(self):
        if self.warmup_steps <= 0:
            return self.beta
        return self.beta * min(1.0, float(self.steps) / self.warmup_steps)

    def forward(self, cat, num, vec=None, bag=None):
        mu, log_var = self.encode(cat, num, vec, bag)
        if self.training:
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * log_var)
            self._kl = gaussian_kl(mu, log_var).mean()
            self.steps += 1
        else:
            z = mu
        logits = self.head(z)
        return logits.squeeze(-1) if self.n_outputs == 1 else logits

    def extra_loss(self):
        """``beta`` (warmed up) times the KL of the last training batch."""
        if self._kl is None:
            return torch.zeros(())
        # hand the KL over once: a tensor left attached to the graph would make the
        # module impossible to deepcopy (and keep the last batch's graph alive)
        kl, self._kl = self._kl, None
        return self.current_beta() * kl
