#!/usr/bin/env python3
"""Per-call overhead of the bindings against the Rust call on the same message.

Run with the Python that has the binding installed (``.ci/run`` makes ``target/py-venv``):

    MEDCOM_SHARED=../shared target/py-venv/bin/python benches/bindings.py [--calls 300]

It builds ``bindings/c``'s ``overhead`` example (the Rust side) and compiles
``bindings/c/benches/overhead.c`` with ``cc`` against the shared library, then measures, one
after the other in the same run and on the same inputs, the median time of one call:

- ``rust``: ``medcom::Validator::validate`` (the report, not serialized);
- ``rust+json``: the same plus ``serde_json::to_string`` of the report, which every binding does;
- ``C``: ``medcom_validate`` and ``medcom_string_free`` called from C through ``libmedcom_c.so``;
- ``Python``: ``medcom.validate(data)`` (the JSON parsed into a dict by ``json.loads``);

and for conversion to the other format ``medcom::convert``, ``medcom_convert`` (the result or
the error object freed) and ``medcom.convert`` (a refusal raises ``MedcomError``).

Each figure is the median of at least ``--calls`` calls and at least half a second of calls,
after 20 warm-up calls. Prints two Markdown tables; ratios are against ``rust``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

INPUTS = [
    ("not a message (13 B)", None),
    ("CareCommunication 5.0.2 XML", "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.2/Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c.xml"),
    ("CareCommunication 5.0.2 JSON", "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.2/Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c.json"),
    ("DIS01 EDIFACT letter", "medcom/legacy/files/glasdam_edifact_converter/test/complete/files/edifact/DIS01_1.edi"),
    ("XDIS01 OIOXML letter", "medcom/legacy/files/glasdam_edifact_converter/test/complete/files/xml/DIS01_1.xml"),
]


def python_median_ns(call, data: bytes, min_calls: int) -> tuple[int, int]:
    for _ in range(20):
        call(data)
    times = []
    started = time.perf_counter()
    clock = time.perf_counter_ns
    while len(times) < min_calls or time.perf_counter() - started < 0.5:
        t = clock()
        call(data)
        times.append(clock() - t)
    return int(statistics.median(times)), len(times)


def python_convert(data: bytes) -> None:
    """``medcom.convert`` to the other format; an input that does not convert raises."""
    import medcom

    try:
        medcom.convert(data)
    except medcom.MedcomError:
        pass


def lines(output: str) -> dict[tuple[str, str], int]:
    figures = {}
    for line in output.splitlines():
        label, path, ns, _calls = line.split("\t")
        figures[(label, path)] = int(ns)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="least calls per figure")
    args = parser.parse_args()
    shared = Path(os.environ.get("MEDCOM_SHARED", ROOT.parent / "shared"))
    scratch = Path(tempfile.mkdtemp(prefix="medcom-bindings-bench-"))
    tiny = scratch / "not-a-message.txt"
    tiny.write_bytes(b"not a message")
    files = [(name, tiny if rel is None else shared / rel) for name, rel in INPUTS]
    for _, path in files:
        if not path.is_file():
            sys.exit(f"{path} is missing (set MEDCOM_SHARED)")
    paths = [str(p) for _, p in files]

    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "medcom-c", "--lib", "--example", "overhead"],
        cwd=ROOT, check=True,
    )
    lib_dir = ROOT / "target/release"
    exe = scratch / "overhead"
    subprocess.run(
        [os.environ.get("CC", "cc"), "-O2", "-std=c11", "-I", str(ROOT / "bindings/c"),
         str(ROOT / "bindings/c/benches/overhead.c"), "-o", str(exe), "-L", str(lib_dir),
         "-lmedcom_c", f"-Wl,-rpath,{lib_dir}"],
        check=True,
    )
    calls = str(args.calls)
    rust = lines(subprocess.run(
        [str(lib_dir / "examples/overhead"), calls, *paths], check=True, capture_output=True, text=True,
    ).stdout)
    c = lines(subprocess.run([str(exe), calls, *paths], check=True, capture_output=True, text=True).stdout)
    import medcom

    python = {}
    for _, p in files:
        data = p.read_bytes()
        python[("python", str(p))] = python_median_ns(medcom.validate, data, args.calls)[0]
        python[("python-convert", str(p))] = python_median_ns(python_convert, data, args.calls)[0]

    def us(ns: int) -> str:
        return f"{ns / 1000:.1f} µs" if ns >= 10_000 else f"{ns / 1000:.2f} µs"

    print("validate:\n")
    print("| input | size | rust | rust+json | C | Python | C / rust | Python / rust | C − rust | Python − rust |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, path in files:
        p = str(path)
        base = rust[("rust-validate", p)]
        json_ = rust[("rust-validate-json", p)]
        cc = c[("c", p)]
        py = python[("python", p)]
        size = path.stat().st_size
        print(
            f"| {name} | {size:,} B | {us(base)} | {us(json_)} | {us(cc)} | {us(py)} "
            f"| {cc / base:.2f}× | {py / base:.2f}× | {us(cc - base)} | {us(py - base)} |"
        )
    print("\nconvert (to the other format; the first input is refused with a read error):\n")
    print("| input | rust | C | Python | C / rust | Python / rust | C − rust | Python − rust |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, path in files:
        p = str(path)
        base = rust[("rust-convert", p)]
        cc = c[("c-convert", p)]
        py = python[("python-convert", p)]
        print(
            f"| {name} | {us(base)} | {us(cc)} | {us(py)} "
            f"| {cc / base:.2f}× | {py / base:.2f}× | {us(cc - base)} | {us(py - base)} |"
        )

if __name__ == "__main__":
    main()
