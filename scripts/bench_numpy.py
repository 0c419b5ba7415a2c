#!/usr/bin/env python3
"""numpy/scipy side of `npm run bench` (scripts/bench.ts).

Usage: bench_numpy.py '<case as JSON>'
Prints one JSON line on stdout: {"times": [...seconds...], "maxrss_kb": ..., "versions": {...}}.

The thread count is fixed by the caller through OPENBLAS_NUM_THREADS /
OMP_NUM_THREADS (they must be set before numpy is imported, so they cannot be
changed from inside this script). Only the timed call is inside the clock;
matrix generation is outside, as on the ergo side.
"""
import json
import resource
import sys
import time

import numpy as np


def sym(rng, n):
    a = rng.standard_normal((n, n))
    return (a + a.T) * 0.5


def timed(fn, reps, warm, warm_fn=None):
    # Warm-up (untimed) on a smaller problem of the same kind, as on the ergo side.
    for _ in range(warm):
        (warm_fn or fn)()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def run(case):
    kind = case["kind"]
    reps = int(case.get("reps", 3))
    warm = int(case.get("warm", 1))
    rng = np.random.default_rng(12345)
    if kind == "symeig":
        w = sym(rng, min(case["n"], 512))
        a = sym(rng, case["n"])
        return timed(lambda: np.linalg.eigvalsh(a), reps, warm, lambda: np.linalg.eigvalsh(w))
    if kind == "gram":
        w = rng.standard_normal((min(case["n"], 256), min(case["m"], 1024)))
        a = rng.standard_normal((case["n"], case["m"]))
        return timed(lambda: a @ a.T, reps, warm, lambda: w @ w.T)
    if kind == "haar":
        from scipy.stats import unitary_group

        n, count = case["n"], case["count"]

        def job(n=n, count=count):
            for _ in range(count):
                u = unitary_group.rvs(n, random_state=rng)
                np.linalg.eigvals(u)

        return timed(job, reps, warm, lambda: job(min(n, 128), 2))
    if kind == "throughput":
        # The same work as ergo's layer chunks: eigenvalues of A A^T for each A.
        n, problems = case["n"], case["problems"]
        mats = [rng.standard_normal((n, n)) for _ in range(problems)]
        small = [rng.standard_normal((256, 256)) for _ in range(2)]

        def job(ms=mats):
            for a in ms:
                np.linalg.eigvalsh(a @ a.T)

        return timed(job, reps, warm, lambda: job(small))
    if kind == "vgg":
        w = rng.standard_normal((256, 256))
        a = rng.standard_normal((case["n"], case["m"])) / np.sqrt(case["m"])
        return timed(lambda: np.linalg.eigvalsh(a @ a.T), reps, warm, lambda: np.linalg.eigvalsh(w @ w.T))
    if kind == "layers-dir":
        # The numpy route for cPSE's layer spectra: every .npy file of the folder (sorted, as
        # ergo orders them), A = W.reshape(rows, -1) in float64, eigvalsh(A @ A.T). Loading the
        # files is inside the clock, as reading them is inside ergo's.
        import os

        folder = case["dir"]
        names = sorted(f for f in os.listdir(folder) if f.endswith(".npy"))

        def job():
            for f in names:
                w = np.load(os.path.join(folder, f))
                a = w.reshape(w.shape[0], -1).astype(np.float64)
                del w
                np.linalg.eigvalsh(a @ a.T)

        return timed(job, reps, 0)
    raise ValueError(f"unknown case kind {kind!r}")


def main():
    case = json.loads(sys.argv[1])
    times = run(case)
    import scipy

    print(
        json.dumps(
            {
                "times": times,
                "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "python": sys.version.split()[0]},
            }
        )
    )


if __name__ == "__main__":
    main()
