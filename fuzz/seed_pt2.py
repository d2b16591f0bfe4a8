#!/usr/bin/env python3
"""Writes fuzz/corpus/load_pt2/<fixture>.json for every archive of tests/fixtures/pt2: the
program JSON and the weights and constants configs of the archive, in the form the
load_pt2 fuzz target wraps back into an archive (fuzz/archive.hpp). Plain Python; no
torch needed.

    python3 fuzz/seed_pt2.py
"""
import json
import pathlib
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pt2"
OUT = ROOT / "fuzz" / "corpus" / "load_pt2"


def read(archive, suffix):
    for name in archive.namelist():
        if name.endswith(suffix):
            return json.loads(archive.read(name))
    return None


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted(FIXTURES.glob("*.pt2")):
        with zipfile.ZipFile(path) as archive:
            model = read(archive, "/models/model.json")
            if model is None:
                continue  # an older layout: the archive itself seeds the corpus
            # Metadata (stack traces with local paths) is not read by xport; leave it out.
            for node in model["graph_module"]["graph"]["nodes"]:
                node["metadata"] = {}
            seed = {"model": model, "weights": read(archive, "/model_weights_config.json"),
                    "constants": read(archive, "/model_constants_config.json")}
        (OUT / f"{path.stem}.json").write_text(json.dumps(seed, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
