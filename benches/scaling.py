#!/usr/bin/env python3
"""Growth curves of the readers and checks on hostile input.

For each input dimension, generates a file at n, 4n, 16n and 64n units, runs the release
`medcom` on it (`validate`, or `receive` for the envelopes, which `validate` does not read),
and prints the median wall time, the time per unit and the growth ratio from one size to the
next (4.0 means linear; the bar is 10.0, 2.5x per 4x of input). Every file of 1-2 MB must also
read in under a second. The peak resident memory of one run (`/usr/bin/time`'s maximum
resident set size) is shown too, and its multiple of the input size for inputs of 1 MB or
more.

    cargo build --release --bin medcom
    python3 benches/scaling.py [--runs 3] [--only NAME] [--binary target/release/medcom]

Exit status 1 when a curve grows faster than 2.5x per 4x, a 1-2 MB input takes 1 s or more,
or an input of 1 MB or more takes more than 20 times its size in memory.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

FHIR = 'xmlns="http://hl7.org/fhir"'
XHTML = 'xmlns="http://www.w3.org/1999/xhtml"'
OIO = 'xmlns="http://rep.oio.dk/medcom.dk/xml/schemas/2018/08/06/"'
VANS = "urn:oio:medcom:vans-envelope:1.0.4"
SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"


def xml_attributes(n):
    attrs = " ".join(f'a{i}="x"' for i in range(n))
    return f'<Patient {FHIR} {attrs}><id value="p"/></Patient>', "xml"


def xml_namespaces(n):
    decls = " ".join(f'xmlns:p{i}="urn:x:{i}"' for i in range(n))
    return f'<Patient {FHIR} {decls}><id value="p"/></Patient>', "xml"


def xml_elements_at_attribute_limit(n):
    # n/256 elements, each with 256 attributes (the default limit, namespaces included):
    # below the limit, duplicate checks must not compare every pair.
    per = 255
    attrs = " ".join(f'p:a{i}="x"' for i in range(per))
    one = f'<u xmlns:p="urn:x" {attrs}/>'
    return f'<Patient {FHIR}>{one * max(1, n // 256)}</Patient>', "xml"


def xml_unknown_siblings(n):
    return f'<Patient {FHIR}><id value="p"/>{"<u/>" * n}</Patient>', "xml"


def xml_out_of_order(n):
    # Each identifier comes after code, out of definition order: a problem each, and each one
    # placed before code in the model.
    ident = '<identifier><value value="x"/></identifier>'
    return f'<Basic {FHIR}><code><text value="c"/></code>{ident * n}</Basic>', "xml"


def json_duplicate_keys(n):
    keys = ",".join(['"gender":"male"'] * n)
    return '{"resourceType":"Patient",' + keys + "}", "json"


def json_unknown_keys_one_line(n):
    keys = ",".join(f'"u{i}":1' for i in range(n))
    return '{"resourceType":"Patient","id":"p",' + keys + "}", "json"


def bundle_entries(n):
    entries = []
    for i in range(n):
        u = uuid.UUID(int=i + 1)
        entries.append(
            f'{{"fullUrl":"urn:uuid:{u}","resource":{{"resourceType":"Basic","id":"{u}",'
            f'"code":{{"text":"x"}}}}}}'
        )
    return (
        '{"resourceType":"Bundle","id":"' + str(uuid.UUID(int=0)) + '","type":"collection",'
        '"entry":[' + ",".join(entries) + "]}",
        "json",
    )


def narrative_attributes(n):
    attrs = " ".join(f'a{i}="x"' for i in range(n))
    div = f'<div {XHTML}><p {attrs}>x</p></div>'
    return f'<Basic {FHIR}><text><status value="generated"/>{div}</text></Basic>', "xml"


def narrative_elements(n):
    p = '<p class="a" id="b">x</p>'
    div = f"<div {XHTML}>{p * n}</div>"
    return f'<Basic {FHIR}><text><status value="generated"/>{div}</text></Basic>', "xml"


# The legacy readers accept at most 40,000 elements (`oioxml::ReadOptions::max_elements`): the
# sibling dimensions below stay under it at 64n (38,400) with elements of 32 bytes, and the last
# one shows tiny elements past it refused before a tree is built.
SIBLING = "<u>" + "x" * 25 + "</u>"


def oioxml_unknown_siblings(n):
    return f'<?xml version="1.0" encoding="ISO-8859-1"?><Emessage {OIO}>{SIBLING * n}</Emessage>', "xml"


# A real XDIS91 letter, read in place from the shared reference material, with n elements of
# 27 bytes added: at 64n the smallest elements that fill a megabyte under the element limit,
# the worst case for memory. `ack` and `convert` build the owned tree as well.
LETTER = "medcom/legacy/files/glasdam_edifact_converter/test/complete/files/xml/DIS91_1.xml"


def shared_letter():
    root = os.environ.get("MEDCOM_SHARED", os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    try:
        with open(os.path.join(root, LETTER), "rb") as f:
            return f.read().decode("cp1252")
    except OSError:
        return None


def letter_with_tiny_elements(n):
    letter = shared_letter()
    at = letter.index("</ClinicalEmail>")
    return letter[:at] + ("<u>" + "x" * 20 + "</u>") * n + letter[at:], "letter"


# EDIFACT from `benches/edifact_input.py` (the official DIS01 letter, read in place): copies of
# the letter, one letter whose clinical text grows, one letter with unknown segments added; n
# is kilobytes. Each is validated, acknowledged and converted.
def edifact(kind):
    def make(n):
        script = os.path.join(os.path.dirname(__file__), "edifact_input.py")
        done = subprocess.run([sys.executable, script, str(n * 1024), kind], stdout=subprocess.PIPE, check=True)
        return done.stdout.decode("latin-1"), "edifact"
    return make


def oioxml_past_element_limit(n):
    return f'<Emessage {OIO}>{"<u/>" * n}</Emessage>', "xml"


def oioxml_attributes(n):
    attrs = " ".join(f'a{i}="x"' for i in range(n))
    return f'<Emessage {OIO} {attrs}/>', "xml"


def oioxml_namespaces(n):
    decls = " ".join(f'xmlns:p{i}="urn:x:{i}"' for i in range(n))
    return f'<Emessage {OIO} {decls}/>', "xml"


def vans_attributes(n):
    attrs = " ".join(f'a{i}="x"' for i in range(n))
    return f'<VANSEnvelope xmlns="{VANS}" {attrs}/>', "vans"


def vans_unknown_siblings(n):
    return f'<VANSEnvelope xmlns="{VANS}">{SIBLING * n}</VANSEnvelope>', "vans"


def sbdh_namespaces(n):
    decls = " ".join(f'xmlns:p{i}="urn:x:{i}"' for i in range(n))
    return f'<StandardBusinessDocument xmlns="{SBDH}" {decls}/>', "vans"


def sbdh_unknown_siblings(n):
    return (
        f'<StandardBusinessDocument xmlns="{SBDH}">{SIBLING * n}</StandardBusinessDocument>',
        "vans",
    )


# (name, generator, n): sizes n, 4n, 16n, 64n units.
DIMENSIONS = [
    ("attributes on one element", xml_attributes, 1000),
    ("namespace declarations on one element", xml_namespaces, 1000),
    ("elements with 255 prefixed attributes", xml_elements_at_attribute_limit, 1024),
    ("unknown sibling elements, each a finding", xml_unknown_siblings, 6250),
    ("out-of-order repetitions, each a finding", xml_out_of_order, 1000),
    ("JSON duplicate keys", json_duplicate_keys, 1000),
    ("JSON unknown keys on one line, each a finding", json_unknown_keys_one_line, 1000),
    ("Bundle entries", bundle_entries, 250),
    ("attributes in a narrative div", narrative_attributes, 1000),
    ("elements in a narrative div", narrative_elements, 1000),
    ("OIOXML unknown sibling elements", oioxml_unknown_siblings, 600),
    ("OIOXML attributes on one element", oioxml_attributes, 1000),
    ("OIOXML namespace declarations", oioxml_namespaces, 1000),
    ("VANSEnvelope attributes", vans_attributes, 1000),
    ("VANSEnvelope unknown siblings", vans_unknown_siblings, 600),
    ("SBDH namespace declarations", sbdh_namespaces, 1000),
    ("SBDH unknown siblings", sbdh_unknown_siblings, 600),
    ("OIOXML tiny elements past the element limit", oioxml_past_element_limit, 6250),
    ("XDIS91 letter with 27-byte elements, validate", letter_with_tiny_elements, 600),
    ("XDIS91 letter with 27-byte elements, ack", letter_with_tiny_elements, 600),
    ("XDIS91 letter with 27-byte elements, convert", letter_with_tiny_elements, 600),
    ("DIS01 letters (KB), validate", edifact("letters"), 17),
    ("DIS01 letters (KB), ack", edifact("letters"), 17),
    ("DIS01 letters (KB), convert", edifact("letters"), 17),
    ("DIS01 letter with long text (KB), validate", edifact("text"), 17),
    ("DIS01 letter with long text (KB), ack", edifact("text"), 17),
    ("DIS01 letter with long text (KB), convert", edifact("text"), 17),
    ("DIS01 letter with unknown segments (KB), validate", edifact("unknown"), 17),
    ("DIS01 letter with unknown segments (KB), convert", edifact("unknown"), 17),
]


def command(binary, path, kind, workdir, name=""):
    if kind in ("letter", "edifact") and name.endswith(", ack"):
        return [binary, "ack", path]
    if kind == "letter" and name.endswith(", convert"):
        return [binary, "convert", "--to", "edifact", path]
    if kind == "edifact" and name.endswith(", convert"):
        return [binary, "convert", "--to", "oioxml", path]
    if kind == "vans":
        store = os.path.join(workdir, "store.sqlite")
        return [binary, "receive", "--store", store, "--ack-out", os.path.join(workdir, "ack"), path]
    return [binary, "validate", "--format", "json", path]


def run_once(binary, path, kind, workdir, name):
    cmd = command(binary, path, kind, workdir, name)
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = child.communicate()
    # The child is reaped by communicate(); its peak memory comes from wait4 when it is not.
    elapsed = time.perf_counter() - start
    if child.returncode not in (0, 1, 3, 4):
        sys.stderr.write(f"{' '.join(cmd)}: exit {child.returncode}\n{err.decode()[:400]}\n")
    return elapsed, len(out)


def peak_kb(binary, path, kind, workdir, name):
    """Peak resident memory of one run in KiB, as `/usr/bin/time -v` reports it."""
    cmd = ["/usr/bin/time", "-f", "%M"] + command(binary, path, kind, workdir, name)
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    last = done.stderr.decode().strip().splitlines()[-1:]
    return int(last[0]) if last and last[0].isdigit() else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default="target/release/medcom")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default=None, help="a part of a dimension's name")
    args = parser.parse_args()
    failed = []
    print(f"{'dimension':46} {'units':>8} {'bytes':>10} {'median s':>9} {'us/unit':>8} "
          f"{'growth':>7} {'out KB':>7} {'peak MB':>8} {'x input':>7}")
    with tempfile.TemporaryDirectory() as workdir:
        for name, make, n in DIMENSIONS:
            if args.only and args.only.lower() not in name.lower():
                continue
            needs_shared = make is letter_with_tiny_elements or "DIS01" in name
            if needs_shared and shared_letter() is None:
                print(f"*** SKIPPED {name}: no shared reference material (set MEDCOM_SHARED) ***")
                continue
            previous = None
            for units in (n, 4 * n, 16 * n, 64 * n):
                text, kind = make(units)
                encoding = "latin-1" if "ISO-8859-1" in text[:60] else "utf-8"
                if kind == "edifact":
                    encoding = "latin-1"
                data = text.encode("cp1252" if "windows-1252" in text[:60] else encoding)
                suffix = {"json": ".json", "edifact": ".edi"}.get(kind, ".xml")
                path = os.path.join(workdir, "input" + suffix)
                with open(path, "wb") as f:
                    f.write(data)
                times = []
                out = 0
                for _ in range(args.runs):
                    t, out = run_once(args.binary, path, kind, workdir, name)
                    times.append(t)
                median = statistics.median(times)
                growth = "" if previous is None else f"{median / max(previous, 1e-3):.2f}"
                if previous is not None and median > 0.05 and median / max(previous, 1e-3) > 10.0:
                    failed.append(f"{name}: {growth}x from {units // 4} to {units} units")
                if 1_000_000 <= len(data) <= 2_000_000 and median >= 1.0:
                    failed.append(f"{name}: {median:.2f} s for {len(data)} bytes")
                peak = peak_kb(os.path.abspath(args.binary), path, kind, workdir, name) / 1024
                times_input = f"{peak * 1048576 / len(data):.1f}" if len(data) >= 1_000_000 else ""
                if len(data) >= 1_000_000 and peak * 1048576 / len(data) > 20.0:
                    failed.append(f"{name}: {times_input}x the input's {len(data)} bytes in memory")
                print(f"{name:46} {units:>8} {len(data):>10} {median:>9.3f} "
                      f"{median / units * 1e6:>8.2f} {growth:>7} {out // 1024:>7} {peak:>8.1f} "
                      f"{times_input:>7}")
                previous = median
    if failed:
        print("\nover the bar:\n  " + "\n  ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
