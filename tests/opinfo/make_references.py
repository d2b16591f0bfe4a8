#!/usr/bin/env python3
"""PyTorch's results for the OpInfo samples: writes tests/opinfo/references.json.

The samples are defined once, in C++ (tests/opinfo/*.cpp). This script asks the built
test program to list them (XPORT_OPINFO_MANIFEST), calls each op through
torch.ops.aten.<op>.<overload> on the same inputs (same dtypes, sizes, strides and
storage offsets), and records the outputs. The test suite reads the committed file and
never needs PyTorch; rerun this after adding or changing samples:

    pip install torch
    python3 tests/opinfo/make_references.py build/tests/test_opinfo

Samples whose op PyTorch has no ATen call for (higher-order ops, runtime asserts) carry a
closed-form reference in C++ and are skipped here.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import torch

DTYPES = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
    "bfloat16": torch.bfloat16, "int64": torch.int64, "int32": torch.int32,
    "int16": torch.int16, "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}
HERE = os.path.dirname(os.path.abspath(__file__))
# Attributes xport names differently from the ATen schema: {op: {aten name: xport name}}.
RENAMED = {"aten::reshape": {"shape": "size"}}


def number(x):
    """A JSON value: NaN and infinities as strings."""
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def tensor_of(desc):
    """The input described by the manifest: its storage, viewed with sizes and strides."""
    if desc is None:
        return None
    values = [float(v) if isinstance(v, str) else v for v in desc["storage"]]
    dtype = DTYPES[desc["dtype"]]
    storage = torch.tensor(values, dtype=torch.float64).to(dtype)
    return storage.as_strided(desc["sizes"], desc["strides"], desc["offset"])


def attribute(value):
    """An attribute as serialized by xport, as the Python value torch expects."""
    if isinstance(value, dict):
        if set(value) <= {"int", "float", "bool"} and len(value) == 1:
            (kind, v), = value.items()
            return float(v) if kind == "float" else v
        raise ValueError(f"attribute {value} has no Python form")
    if isinstance(value, list):
        return [attribute(v) for v in value]
    if isinstance(value, str) and value in DTYPES:
        return DTYPES[value]
    return value


def overload_of(name):
    """torch.ops.aten.add.Tensor for "aten::add.Tensor" (".default" when none is named)."""
    namespace, rest = name.split("::")
    op, _, overload = rest.partition(".")
    packet = getattr(getattr(torch.ops, namespace), op)
    return getattr(packet, overload or "default")


def arguments(op, attributes, inputs):
    """Positional and keyword arguments of `op` from xport's inputs and attributes.

    Tensor arguments take xport's inputs in order (a list argument takes every input not
    needed by the tensor arguments after it); an attribute named like a Tensor argument
    (a scalar `other`) stands in for it; every other argument is the attribute of its name,
    or its default when xport has none."""
    schema = op._schema.arguments
    args, kwargs = [], {}
    pending = list(inputs)
    for i, a in enumerate(schema):
        kind = str(a.type)
        is_list = isinstance(a.type, torch.ListType)
        if a.name in attributes and attributes[a.name] is not None and "Tensor" in kind:
            value = attribute(attributes[a.name])
        elif "Tensor" in kind and is_list:
            later = sum(1 for b in schema[i + 1:] if "Tensor" in str(b.type))
            value = [tensor_of(t) for t in pending[: len(pending) - later]]
            pending = pending[len(pending) - later:]
        elif "Tensor" in kind:
            value = tensor_of(pending.pop(0)) if pending else None
        elif a.name in attributes:
            value = attribute(attributes[a.name])
        else:
            continue
        if a.kwarg_only:
            kwargs[a.name] = value
        else:
            args.append(value)
    return args, kwargs


def outputs_of(result, inputs):
    """The results as a list of tensors (a Python number becomes a 0-dim tensor of the
    input's dtype, as xport's _local_scalar_dense returns)."""
    if isinstance(result, torch.Tensor):
        return [result]
    if isinstance(result, (list, tuple)):
        return [t for r in result for t in outputs_of(r, inputs)]
    dtype = DTYPES[inputs[0]["dtype"]] if inputs and inputs[0] else torch.float32
    return [torch.tensor(result, dtype=dtype)]


def describe(t):
    values = [number(float(v)) if t.dtype.is_floating_point else int(v)
              for v in t.detach().reshape(-1).tolist()]
    return {"dtype": NAMES[t.dtype], "sizes": list(t.shape), "values": values}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        manifest = os.path.join(tmp, "samples.jsonl")
        env = dict(os.environ, XPORT_OPINFO_MANIFEST=manifest)
        subprocess.run([sys.argv[1]], env=env, check=True, stdout=subprocess.DEVNULL)
        with open(manifest) as f:
            samples = [json.loads(line) for line in f]
    references = {"__pytorch__": torch.__version__}
    for s in samples:
        if "skip" in s:
            continue
        op = overload_of(s["op"])
        attributes = dict(s["attributes"])
        for aten_name, ours in RENAMED.get(s["op"], {}).items():
            attributes[aten_name] = attributes.pop(ours)
        args, kwargs = arguments(op, attributes, s["inputs"])
        try:
            result = op(*args, **kwargs)
        except Exception as e:  # recorded: the C++ sweep reports PyTorch's refusal
            references[s["key"]] = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}
            continue
        references[s["key"]] = {"outputs": [describe(t) for t in outputs_of(result, s["inputs"])]}
    path = os.path.join(HERE, "references.json")
    with open(path, "w") as f:
        json.dump(references, f, indent=None, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    print(f"{len(references) - 1} references from PyTorch {torch.__version__} -> {path}")


if __name__ == "__main__":
    main()
