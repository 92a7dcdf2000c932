"""The fitted label model, from its parameters (label_model.json): mirrors scoreWithParams in LF Studio's
modelParams.ts, in the same order of operations, so probabilities match the editor's."""
import math

from .errors import JobError

FORMAT = "lf-studio-label-model/1"


class LabelModel:
    def __init__(self, params):
        import numpy as np

        if params.get("format") != FORMAT:
            raise JobError(f"label_model.json has format {params.get('format')!r}; this job reads {FORMAT!r}")
        self.np = np
        self.k = len(params["classes"])
        self.m = len(params["lfs"])
        self.class_balance = np.asarray(params["classBalance"], dtype=np.float64)
        self.uncovered = np.asarray(params["uncoveredProbs"], dtype=np.float64)
        self.overrides = [(o["narrow"], o["broad"]) for o in params["overrides"]]
        self.tol = float(params["tieTolerance"])
        self.scorer = params["scorer"]
        kind = self.scorer["kind"]
        if kind == "log-linear":
            self.bias = np.asarray(self.scorer["bias"], dtype=np.float64)
            self.weights = np.asarray(self.scorer["weights"], dtype=np.float64).reshape(self.m, self.k, self.k)
        elif kind == "one-vs-rest":
            acc = np.asarray(self.scorer["accuracy"], dtype=np.float64)
            self.fs_weights = np.log(acc) - np.log(1 - acc)  # problems x LFs
            rates = self.scorer["positiveRates"]
            self.fs_base = np.asarray([math.log(max(r, 1e-9)) - math.log(max(1 - r, 1e-9)) for r in rates], dtype=np.float64)
            self.positives = np.asarray(self.scorer["positives"], dtype=np.int64)
        elif kind != "vote-share":
            raise JobError(f"label_model.json: unknown scorer {kind!r}")
        best = 0
        for c in range(1, self.k):
            if self.class_balance[c] > self.class_balance[best]:
                best = c
        self.prior_best = best

    def predict(self, V, uncovered="abstain"):
        """V: n x m int array (-1 = abstain). Returns (probs n x k, labels n, covered n)."""
        np = self.np
        V = np.asarray(V, dtype=np.int64)
        n, m = V.shape
        if m != self.m:
            raise JobError(f"the label model has {self.m} LFs but the votes have {m} columns")
        voted = V >= 0
        covered = voted.any(axis=1)
        # Overrides: the broad LF's vote is set aside where a narrow LF inside it votes a different label.
        aside = np.zeros((n, m), dtype=bool)
        for a, b in self.overrides:
            aside[:, b] |= voted[:, a] & voted[:, b] & (V[:, a] != V[:, b])
        use = voted & ~aside
        k = self.k
        kind = self.scorer["kind"]
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            if kind == "log-linear":
                S = np.tile(self.bias, (n, 1))
                for j in range(m):
                    rows = np.nonzero(use[:, j])[0]
                    if rows.size:
                        S[rows] += self.weights[j, V[rows, j]]
                S -= S.max(axis=1, keepdims=True)
                E = np.exp(S)
                P = E / E.sum(axis=1, keepdims=True)
            elif kind == "vote-share":
                C = np.zeros((n, k), dtype=np.float64)
                for j in range(m):
                    rows = np.nonzero(use[:, j])[0]
                    if rows.size:
                        C[rows, V[rows, j]] += 1.0
                total = C.sum(axis=1, keepdims=True)
                P = C / np.where(total > 0, total, 1.0)
            else:
                Q = len(self.fs_base)
                LO = np.tile(self.fs_base, (n, 1))
                for j in range(m):
                    rows = np.nonzero(use[:, j])[0]
                    if rows.size:
                        sign = np.where(V[rows, j][:, None] == self.positives[None, :], 1.0, -1.0)
                        LO[rows] += sign * self.fs_weights[:, j][None, :]
                if k == 2:
                    p1 = 1.0 / (1.0 + np.exp(-LO[:, 0]))
                    P = np.stack([1.0 - p1, p1], axis=1)
                else:
                    P = 1.0 / (1.0 + np.exp(-LO[:, :Q]))
                    P = P / P.sum(axis=1, keepdims=True)
        P[~covered] = self.uncovered
        # Most likely class; among classes within tol of the best, the one the class balance favours.
        mx = P.max(axis=1, keepdims=True)
        tied = P >= mx - self.tol
        score = np.where(tied, self.class_balance[None, :], -np.inf)
        labels = score.argmax(axis=1)
        labels[~covered] = self.prior_best if uncovered == "predict" else -1
        return P, labels, covered


def score_votes(params, votes, uncovered="abstain"):
    """Probabilities and labels for a list of vote rows (for checks outside a job)."""
    import numpy as np

    P, labels, _ = LabelModel(params).predict(np.asarray(votes, dtype=np.int64).reshape(len(votes), len(params["lfs"])), uncovered)
    return P.tolist(), labels.tolist()
