#!/usr/bin/env python3
"""Makes the fuzz targets' seed corpus and dictionary from saved programs.

    XPORT_FUZZ_SEEDS=/tmp/seeds build/tests/test_opinfo   # one archive per op
    python3 fuzz/seed.py /tmp/seeds

writes fuzz/corpus/program/<op>.json (each archive's program JSON, minified, and those of
tests/serde/golden as golden_<name>.json: cond, while_loop, data-dependent sizes; the load
target wraps it into an archive, the program target decodes it) and fuzz/program.dict (every
key and short string value of those programs and of the golden archives: op names, dtypes,
node kinds, attribute names), which libFuzzer splices into mutations.
"""
import json
import pathlib
import sys
import zipfile

root = pathlib.Path(__file__).resolve().parent
seeds = pathlib.Path(sys.argv[1])
out = root / "corpus" / "program"
out.mkdir(parents=True, exist_ok=True)

tokens = set()


def collect(value):
    if isinstance(value, dict):
        for k, v in value.items():
            tokens.add(k)
            collect(v)
    elif isinstance(value, list):
        for v in value:
            collect(v)
    elif isinstance(value, str) and len(value) <= 40:
        tokens.add(value)


archives = sorted(seeds.glob("*.xpt")) + sorted((root.parent / "tests/serde/golden").glob("*.xpt"))
for path in archives:
    with zipfile.ZipFile(path) as z:
        program = json.loads(z.read("archive/models/model.json"))
    collect(program)
    name = path.stem if path.parent == seeds else "golden_" + path.stem
    (out / (name + ".json")).write_text(json.dumps(program, separators=(",", ":")))

with open(root / "program.dict", "w") as d:
    d.write("# Keys and values of xport's program JSON (fuzz/seed.py); libFuzzer -dict.\n")
    for t in sorted(tokens):
        d.write(json.dumps(json.dumps(t)) + "\n")
print(f"{len(archives)} programs, {len(tokens)} dictionary entries")
