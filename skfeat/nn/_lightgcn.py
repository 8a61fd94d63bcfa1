"""LightGCN (He et al., SIGIR 2020): linear graph convolution on the user-item graph.

Pure torch; the scikit-learn wrapper is :class:`skfeat.models.LightGCN`.
"""

import warnings

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn


def normalized_adjacency(R):
    """Symmetrically normalised adjacency of the bipartite user-item graph.

    ``A = [[0, R], [R^T, 0]]`` over ``n_users + n_items`` nodes, returned as
    ``D^{-1/2} A D^{-1/2}`` (a node without edges keeps a zero row) in torch CSR
    float32.

    Parameters
    ----------
    R : scipy sparse matrix of shape (n_users, n_items)
        Binary interactions.

    Returns
    -------
    adj : torch.Tensor (sparse CSR) of shape (n_users + n_items,) * 2

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from skfeat.nn._lightgcn import normalized_adjacency
    >>> adj = normalized_adjacency(sp.csr_matrix([[1.0, 0.0], [1.0, 1.0]]))
    >>> adj.to_dense()[0, 2:].tolist()  # user 0 (degree 1) - item 0 (degree 2)
    [0.7071067690849304, 0.0]
    """
    R = sp.csr_matrix(R, dtype=np.float64)
    n_users, n_items = R.shape
    A = sp.bmat([[None, R], [R.T, None]], format="csr")
    deg = np.asarray(A.sum(axis=1)).ravel()
    inv = np.zeros_like(deg)
    inv[deg > 0] = deg[deg > 0] ** -0.5
    A = sp.diags(inv) @ A @ sp.diags(inv)
    A = sp.csr_matrix(A, dtype=np.float32)
    A.sort_indices()
    with warnings.catch_warnings():
        # CSR is "beta" in torch, but its CPU product is twice COO's speed here
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support")
        return torch.sparse_csr_tensor(
            torch.from_numpy(A.indptr.astype(np.int64)),
            torch.from_numpy(A.indices.astype(np.int64)),
            torch.from_numpy(A.data),
            size=A.shape,
            check_invariants=False,
        )


class _SymmetricSpMM(torch.autograd.Function):
    """``adj @ x`` for a symmetric sparse ``adj``; the backward is ``adj @ grad``."""

    @staticmethod
    def forward(ctx, adj, x):
        ctx.adj = adj
        return torch.sparse.mm(adj, x)

    @staticmethod
    def backward(ctx, grad):
        return None, torch.sparse.mm(ctx.adj, grad)


class LightGCNModule(nn.Module):
    """User and item embeddings smoothed by ``n_layers`` linear graph convolutions.

    ``E^{(k+1)} = A E^{(k)}`` with the normalised adjacency ``A`` (no weights, no
    nonlinearity); the final embedding of a node is the mean of its layers
    ``E^{(0)}, ..., E^{(K)}``, and a user-item score is the dot product of their
    final embeddings.

    Parameters
    ----------
    n_users, n_items : int
        Number of users and of items.
    embed_dim : int
        Size of each user's and item's embedding.
    n_layers : int
        Number of propagation layers.
    init_std : float, default=0.1
        Standard deviation of the normal initialisation (the authors' code).

    Examples
    --------
    >>> import scipy.sparse as sp, torch
    >>> from skfeat.nn import LightGCNModule
    >>> from skfeat.nn._lightgcn import normalized_adjacency
    >>> adj = normalized_adjacency(sp.csr_matrix([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]))
    >>> model = LightGCNModule(2, 3, embed_dim=4, n_layers=2)
    >>> users, items = model.propagate(adj)
    >>> users.shape, items.shape
    (torch.Size([2, 4]), torch.Size([3, 4]))
    """

    def __init__(self, n_users, n_items, embed_dim, n_layers, init_std=0.1):
        super().__init__()
        self.n_users = int(n_users)
        self.n_items = int(n_items)
        self.n_layers = int(n_layers)
        self.user_embedding = nn.Embedding(self.n_users, int(embed_dim))
        self.item_embedding = nn.Embedding(self.n_items, int(embed_dim))
        nn.init.normal_(self.user_embedding.weight, std=init_std)
        nn.init.normal_(self.item_embedding.weight, std=init_std)

    def layers(self, adj):
        """Return all layers ``E^{(0)}, ..., E^{(K)}`` of all nodes, users first.

        Parameters
        ----------
        adj : Tensor
            The normalised user-item adjacency matrix, sparse, of shape
            ``(n_users + n_items, n_users + n_items)``.

        Returns
        -------
        layers : list of Tensor
            ``n_layers + 1`` tensors of shape ``(n_users + n_items, embed_dim)``.
        """
        e = torch.cat([self.user_embedding.weight, self.item_embedding.weight])
        out = [e]
        for _ in range(self.n_layers):
            e = _SymmetricSpMM.apply(adj, e)
            out.append(e)
        return out

    def propagate(self, adj):
        """Return the final (layer-averaged) user and item embeddings.

        Parameters
        ----------
        adj : Tensor
            The normalised user-item adjacency matrix, as for :meth:`layers`.

        Returns
        -------
        users : Tensor of shape (n_users, embed_dim)
            Final user embeddings.
        items : Tensor of shape (n_items, embed_dim)
            Final item embeddings.
        """
        final = torch.stack(self.layers(adj)).mean(dim=0)
        return final[: self.n_users], final[self.n_users :]

    def forward(self, adj, users, pos, neg):
        """BPR terms of a batch of ``(user, positive item, negative item)`` triples.

        Returns
        -------
        diff : Tensor of shape (batch,)
            ``score(user, pos) - score(user, neg)``.
        sq_norm : Tensor (scalar)
            Half the summed squared norms of the triples' layer-0 embeddings (the
            paper's L2 term, before the batch mean).
        """
        u_all, i_all = self.propagate(adj)
        u, p, n = u_all[users], i_all[pos], i_all[neg]
        diff = (u * (p - n)).sum(dim=1)
        ego = (
            self.user_embedding(users).pow(2).sum()
            + self.item_embedding(pos).pow(2).sum()
            + self.item_embedding(neg).pow(2).sum()
        )
        return diff, 0.5 * ego
