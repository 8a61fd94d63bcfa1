"""An optimizer that updates only the embedding rows a batch touches.

A dense optimizer over a hashed 2^24-row table reads and writes the whole table (and
two Adam moment tables) at every step, and the dense gradient of the lookup costs
another table-sized buffer. With sparse embedding gradients (``nn.Embedding(...,
sparse=True)``) :class:`RowSparseOptimizer` updates the rows a batch touches and
leaves the others alone, as CTR systems do ("lazy" Adam, row-wise Adagrad):

* ``method="adam"`` / ``"adamw"``: lazy Adam. Dense parameters get torch's Adam
  (AdamW) update; a sparse gradient updates the moments and weights of its rows
  only (the rule of ``torch.optim.SparseAdam``, with bias correction by the global
  step). State: two tables the size of the parameter.
* ``method="adagrad"``: row-wise Adagrad: one accumulated squared-gradient *per
  row* (the mean over the row's entries), so the state of a table is one number per
  row and peak memory stays close to the size of the parameters.
* ``method="sgd"``: plain SGD.

``weight_decay`` (the L2 penalty ``alpha``) is added to the gradient of the rows a
batch touches only: rows unseen in a batch are not decayed in that step. This is
the documented difference from the dense path, whose weight decay shrinks the
whole table every step.
"""

import torch


def coalesced(grad):
    """Return the sparse gradient ``grad`` coalesced, without a sort if it is.

    autograd drops the coalesced flag when it stores a sparse gradient, so a
    gradient with one row per distinct id (as skfeat's embeddings give) would be
    sorted again by ``coalesce()``; strictly increasing row indices are checked in
    one pass instead, and the flag set on ``grad`` itself (so that clipping and
    the optimizer pay the check once).

    Parameters
    ----------
    grad : sparse Tensor
        A sparse COO gradient.

    Returns
    -------
    grad : sparse Tensor
        A coalesced gradient with the same value.
    """
    if grad.is_coalesced():
        return grad
    index = grad._indices()
    if index.shape[0] == 1 and bool((index[0, 1:] > index[0, :-1]).all()):
        return grad._coalesced_(True)
    return grad.coalesce()


class RowSparseOptimizer(torch.optim.Optimizer):
    """Adam, AdamW, row-wise Adagrad or SGD that accepts sparse gradients."""

    def __init__(
        self, params, lr=1e-3, *, method="adam", betas=(0.9, 0.999), eps=1e-8,
        weight_decay=0.0, initial_accumulator_value=0.0,
    ):  # fmt: skip
        if method not in ("adam", "adamw", "adagrad", "sgd"):
            raise ValueError(f"Unknown method {method!r}.")
        defaults = dict(
            lr=lr, method=method, betas=tuple(betas), eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
        )  # fmt: skip
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            dense_adam = []
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    self._sparse_step(p, group)
                elif group["method"] in ("adam", "adamw"):
                    dense_adam.append(p)
                else:
                    self._dense_step(p, group)
            if dense_adam:
                self._dense_adam_steps(dense_adam, group)
        return loss

    # ------------------------------------------------------------- dense Adam
    def _dense_adam_steps(self, params, group):
        # the dense parameters of a group (an MLP's weights and biases) take
        # the same Adam rule one after the other; torch's ``_foreach`` calls
        # apply each operation to all of them in one call (on the CPU: the same
        # kernel per tensor, so the same bits), without a Python round trip per
        # tensor and operation. Parameters of equal step count go together.
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        by_step = {}
        for p in params:
            state = self.state[p]
            if "step" not in state:
                state["step"] = torch.zeros((), dtype=torch.float64)
                state["exp_avg"] = torch.zeros_like(p)
                state["exp_avg_sq"] = torch.zeros_like(p)
            state["step"] += 1
            by_step.setdefault(float(state["step"]), []).append(p)
        for t, ps in by_step.items():
            grads = [p.grad for p in ps]
            exp_avgs = [self.state[p]["exp_avg"] for p in ps]
            exp_avg_sqs = [self.state[p]["exp_avg_sq"] for p in ps]
            if group["method"] == "adamw":
                if wd:
                    torch._foreach_mul_(ps, 1 - lr * wd)
            elif wd:
                grads = torch._foreach_add(grads, ps, alpha=wd)
            torch._foreach_mul_(exp_avgs, beta1)
            torch._foreach_add_(exp_avgs, grads, alpha=1 - beta1)
            torch._foreach_mul_(exp_avg_sqs, beta2)
            torch._foreach_addcmul_(exp_avg_sqs, grads, grads, value=1 - beta2)
            bc1 = 1 - beta1**t
            bc2 = 1 - beta2**t
            denom = torch._foreach_div(exp_avg_sqs, bc2)
            torch._foreach_sqrt_(denom)
            torch._foreach_add_(denom, eps)
            torch._foreach_addcdiv_(ps, exp_avgs, denom, value=-lr / bc1)

    # ------------------------------------------------------------------ dense
    def _dense_step(self, p, group):
        # SGD and Adagrad (dense Adam: _dense_adam_steps)
        grad = p.grad
        method, lr, wd = group["method"], group["lr"], group["weight_decay"]
        state = self.state[p]
        if wd:
            grad = grad.add(p, alpha=wd)
        if method == "sgd":
            p.add_(grad, alpha=-lr)
            return
        if "sum" not in state:
            state["sum"] = torch.full(
                (p.shape[0],) if p.dim() > 1 else p.shape,
                group["initial_accumulator_value"], dtype=p.dtype,
                device=p.device,
            )  # fmt: skip
        sq = grad.pow(2)
        if p.dim() > 1:
            sq = sq.reshape(p.shape[0], -1).mean(1)
        state["sum"].add_(sq)
        std = state["sum"].sqrt().add_(group["eps"])
        if p.dim() > 1:
            std = std.view(-1, *([1] * (p.dim() - 1)))
        p.addcdiv_(grad, std, value=-lr)

    # ----------------------------------------------------------------- sparse
    def _sparse_step(self, p, group):
        # every pass below reads and writes the batch's rows only (index_select /
        # index_copy_ over the distinct rows): nothing costs time in the table's
        # size. A gradient from skfeat's embeddings is already coalesced, and
        # coalesce() then returns it as it is.
        grad = coalesced(p.grad)
        rows = grad.indices()[0]
        values = grad.values()
        method, lr, wd = group["method"], group["lr"], group["weight_decay"]
        state = self.state[p]
        current = p.index_select(0, rows)
        if method == "adamw":
            if wd:
                current.mul_(1 - lr * wd)
        elif wd:
            values = values.add(current, alpha=wd)
        if method == "sgd":
            p.index_copy_(0, rows, current.sub_(values, alpha=lr))
            return
        if method == "adagrad":
            if "sum" not in state:
                state["sum"] = torch.full(
                    (p.shape[0],), group["initial_accumulator_value"],
                    dtype=p.dtype, device=p.device,
                )  # fmt: skip
            acc = state["sum"].index_select(0, rows)
            acc += values.pow(2).reshape(len(rows), -1).mean(1)
            state["sum"].index_copy_(0, rows, acc)
            std = acc.sqrt_().add_(group["eps"]).view(-1, *([1] * (p.dim() - 1)))
            p.index_copy_(0, rows, current.addcdiv_(values, std, value=-lr))
            return
        beta1, beta2 = group["betas"]
        if "step" not in state:
            state["step"] = torch.zeros((), dtype=torch.float64)
            state["exp_avg"] = torch.zeros_like(p)
            state["exp_avg_sq"] = torch.zeros_like(p)
        state["step"] += 1
        t = float(state["step"])
        m = state["exp_avg"].index_select(0, rows).mul_(beta1)
        m.add_(values, alpha=1 - beta1)
        v = state["exp_avg_sq"].index_select(0, rows).mul_(beta2)
        v.addcmul_(values, values, value=1 - beta2)
        state["exp_avg"].index_copy_(0, rows, m)
        state["exp_avg_sq"].index_copy_(0, rows, v)
        bc1 = 1 - beta1**t
        bc2 = 1 - beta2**t
        denom = v.div_(bc2).sqrt_().add_(group["eps"])
        p.index_copy_(0, rows, current.addcdiv_(m, denom, value=-lr / bc1))
