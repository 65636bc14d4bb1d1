#!/usr/bin/env python3
"""Writes an EDIFACT interchange of about SIZE bytes to stdout for memory and time figures.

Usage: benches/edifact_input.py SIZE [letters|unknown|text]

- letters: copies of the official DIS01_1.edi message, each with its own reference (default);
- unknown: one message of DIS01_1 with unknown `XYZ+foo'` segments added until SIZE;
- text: one DIS01_1 message whose clinical text grows (FTX segments of five 60-character
  lines) until SIZE.
Reads ../shared in place (MEDCOM_SHARED overrides).
"""
import os
import sys

shared = os.environ.get("MEDCOM_SHARED", os.path.join(os.path.dirname(__file__), "../../shared"))
path = os.path.join(shared, "medcom/legacy/files/glasdam_edifact_converter/test/complete/files/edifact/DIS01_1.edi")
lines = open(path, "rb").read().split(b"\n")
lines = [l for l in lines if l]
unb = [l for l in lines if l.startswith(b"UNB")][0]
una = lines[0] if lines[0].startswith(b"UNA") else b""
start = next(i for i, l in enumerate(lines) if l.startswith(b"UNH"))
end = next(i for i, l in enumerate(lines) if l.startswith(b"UNT"))
body = lines[start + 1:end]
ref = unb.split(b"+")[5].rstrip(b"'")
size = int(sys.argv[1])
kind = sys.argv[2] if len(sys.argv) > 2 else "letters"
unh = lines[start]
out = [una, unb]
total = len(una) + len(unb) + 2
messages = 0
if kind == "letters":
    while total < size:
        r = b"B%d" % messages
        msg = [b"UNH+" + r + b"+" + unh.split(b"+", 2)[2]] + body + [b"UNT+%d+%s'" % (len(body) + 2, r)]
        out += msg
        total += sum(len(m) + 1 for m in msg)
        messages += 1
else:
    extra = []
    line = b":".join([b"x" * 60] * 5)
    filler = b"XYZ+foo'" if kind == "unknown" else b"FTX+NC+P00++" + line + b"'"
    grow = sum(len(l) + 1 for l in body) + total
    while grow < size:
        extra.append(filler)
        grow += len(filler) + 1
    if kind == "unknown":
        new_body = body + extra
    else:
        # Clinical text lines go after the last FTX of the letter.
        last = max(i for i, l in enumerate(body) if l.startswith(b"FTX"))
        qualifier = body[last].split(b"+", 2)[1]
        text = [b"FTX+" + qualifier + b"+P00++" + line + b"'" for _ in extra]
        new_body = body[: last + 1] + text + body[last + 1:]
    out += [unh] + new_body + [b"UNT+%d+%s'" % (len(new_body) + 2, unh.split(b"+")[1])]
    messages = 1
out.append(b"UNZ+%d+%s'" % (messages, ref))
sys.stdout.buffer.write(b"\n".join(l for l in out if l) + b"\n")
