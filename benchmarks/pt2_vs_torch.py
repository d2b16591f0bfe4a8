#!/usr/bin/env python3
"""Load time of PyTorch's .pt2 archives: torch.export.load against xport::load_pt2, in one
run on the same machine, the time to a first result (load + one call), and the time to
write the archive (torch.export.save against xport::save_pt2, both into memory).

    python3 benchmarks/pt2_vs_torch.py BUILD_DIR/benchmarks/bench_load_pt2

Runs the Google Benchmark program (built optimized) with JSON output, times
torch.export.load (median of several loads) and torch's load + first call on the same
fixtures (tests/fixtures/pt2/), and prints each pair with its ratio. Needs
`pip install torch`; xport's tests never do.
"""
import io
import json
import pathlib
import statistics
import subprocess
import sys
import time

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pt2"
NAMES = ["mlp", "cnn", "transformer", "transformer_decomposed"]
REPEATS = 20


def first_inputs(name):
    case = json.loads((FIXTURES / f"{name}.json").read_text())["cases"][0]
    dtypes = {"float32": torch.float32, "bfloat16": torch.bfloat16, "int64": torch.int64,
              "bool": torch.bool}
    return [torch.zeros(t["sizes"], dtype=dtypes[t["dtype"]]) for t in case["inputs"]]


def median_ms(fn):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def torch_times(name):
    path = str(FIXTURES / f"{name}.pt2")
    inputs = first_inputs(name)
    load = median_ms(lambda: torch.export.load(path))

    def first_result():
        torch.export.load(path).module()(*inputs)

    ep = torch.export.load(path)
    save = median_ms(lambda: torch.export.save(ep, io.BytesIO()))
    return load, median_ms(first_result), save


def xport_times(bench):
    out = subprocess.run([bench, "--benchmark_format=json"], check=True, capture_output=True,
                         text=True).stdout
    times = {}
    for b in json.loads(out)["benchmarks"]:
        unit = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
        times[b["name"]] = b["real_time"] * unit
    return times


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    xport = xport_times(sys.argv[1])
    print(f"torch {torch.__version__}; medians in ms; ratio = torch / xport")
    print(f"{'fixture':24} {'torch load':>11} {'xport load':>11} {'ratio':>7} "
          f"{'xport .xpt':>11} {'torch 1st':>10} {'xport 1st':>10} {'ratio':>7} "
          f"{'torch save':>11} {'xport save':>11} {'ratio':>7}")
    for name in NAMES:
        load, first, save = torch_times(name)
        x_load = xport[f"BM_load_pt2/{name}"]
        x_first = xport[f"BM_first_result/{name}"]
        x_own = xport[f"BM_load_xport/{name}"]
        x_save = xport[f"BM_save_pt2/{name}"]
        print(f"{name:24} {load:11.3f} {x_load:11.3f} {load / x_load:7.0f} {x_own:11.3f} "
              f"{first:10.3f} {x_first:10.3f} {first / x_first:7.0f} "
              f"{save:11.3f} {x_save:11.3f} {save / x_save:7.0f}")


if __name__ == "__main__":
    main()
