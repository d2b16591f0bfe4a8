#!/usr/bin/env python3
"""Exported models in xport against the same models in PyTorch eager, at 1 and 2 threads.

    python3 benchmarks/peer/run.py BUILD_DIR/benchmarks/bench_run_models [--threads 1,2]

For each thread count, runs the Google Benchmark program (built optimized) with
OMP_NUM_THREADS set to it (xport's default thread count) and OPENBLAS_NUM_THREADS=1
(xport keeps OpenBLAS at one thread and splits products on its own pool, so threads
OpenBLAS would start at load time would only sit idle); it loads PyTorch's archives of tests/fixtures/pt2/, calls them through
ep.module(), and writes each case's input and first output. Then builds each model in
PyTorch (the fixture's own constructor with the archive's weights), times model(x) on the
same input (median of repeats, torch.set_num_threads(threads), no_grad) and prints, per
model, batch and thread count: xport's time, its time with the state frozen
(`ep.module({.freeze = true})`: weights read as constants, product operands laid out once),
torch's time, both ratios to torch's (below 1: xport is faster), xport's unfrozen time
against its own at one thread, and the largest absolute difference between the outputs. Needs `pip install torch`; xport's tests never do.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pt2"
sys.path.insert(0, str(FIXTURES))
import make_fixtures  # noqa: E402  (the fixtures' own model constructors)

CASES = {  # benchmark name -> model constructor, the sizes after the batch
    "mlp": (make_fixtures.make_mlp, [8]),
    "cnn": (make_fixtures.SmallCNN, [3, 8, 8]),
    "cnn_decomposed": (make_fixtures.SmallCNN, [3, 8, 8]),
    "transformer": (make_fixtures.make_transformer, [32, 16]),
    "transformer_decomposed": (make_fixtures.make_transformer, [32, 16]),
}
REPEATS = 7


def run_xport(binary: str, out_dir: str, threads: int) -> dict:
    env = dict(os.environ, XPORT_PEER_OUT=out_dir, OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS="1")
    result = subprocess.run(
        [binary, "--benchmark_format=json", "--benchmark_min_time=0.2", "--benchmark_filter=^BM_run(_frozen)?/",
         "--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true"],
        env=env, check=True, capture_output=True, text=True)
    times = {}
    for b in json.loads(result.stdout)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            times[b["run_name"]] = b["real_time"]  # microseconds
    return times


def torch_model(name: str) -> torch.nn.Module:
    make, _ = CASES[name]
    model = make()
    ep = torch.export.load(str(FIXTURES / f"{name}.pt2"))
    state = dict(ep.state_dict)
    state.update({k: v for k, v in ep.constants.items() if isinstance(v, torch.Tensor)})
    model.load_state_dict(state, strict=False)
    return model.eval()


def median_us(fn, inner: int) -> float:
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", help="bench_run_models, built optimized")
    parser.add_argument("--threads", default="1,2", help="thread counts (default 1,2)")
    args = parser.parse_args()
    rows = {}  # (model, batch, threads) -> {"run"/"frozen": (xport us, max diff), "torch": us}
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        with tempfile.TemporaryDirectory() as out_dir:
            xport_times = run_xport(args.binary, out_dir, threads)
            for run_name, xport_us in sorted(xport_times.items()):
                kind, name, batch = run_name.split("/")
                kind = "frozen" if kind == "BM_run_frozen" else "run"
                _, sample = CASES[name]
                stem = f"{name}_{batch}" + ("_frozen" if kind == "frozen" else "")
                x = torch.frombuffer(bytearray((pathlib.Path(out_dir) / f"{stem}.input").read_bytes()),
                                     dtype=torch.float32).reshape([int(batch)] + sample)
                model = torch_model(name)
                row = rows.setdefault((name, int(batch), threads), {})
                with torch.no_grad():
                    want = model(x)
                    got = torch.frombuffer(
                        bytearray((pathlib.Path(out_dir) / f"{stem}.output").read_bytes()),
                        dtype=torch.float32).reshape(want.shape)
                    row[kind] = (xport_us, (got - want).abs().max().item())
                    if "torch" not in row:
                        model(x)  # warm up
                        inner = max(1, int(20000 / max(xport_us, 1.0)))
                        row["torch"] = median_us(lambda: model(x), inner)
    one_thread = {(k[0], k[1]): r["run"][0] for k, r in rows.items() if k[2] == 1}
    print(f"{'model':<24}{'batch':>6}{'threads':>8}{'xport us':>12}{'frozen us':>11}"
          f"{'torch us':>12}{'ratio':>8}{'frozen':>8}{'vs 1t':>7}{'max |diff|':>13}")
    for (name, batch, threads), r in sorted(rows.items()):
        xport_us, diff = r["run"]
        frozen_us, frozen_diff = r["frozen"]
        base = one_thread.get((name, batch))
        own = f"{xport_us / base:>7.2f}" if base else f"{'-':>7}"
        print(f"{name:<24}{batch:>6}{threads:>8}{xport_us:>12.2f}{frozen_us:>11.2f}"
              f"{r['torch']:>12.2f}{xport_us / r['torch']:>8.2f}{frozen_us / r['torch']:>8.2f}"
              f"{own}{max(diff, frozen_diff):>13.2e}")

if __name__ == "__main__":
    main()
