"""``medcom.convert`` and ``medcom.ack`` give what ``medcom convert`` and ``medcom ack`` print for
every official example (FHIR XML and JSON, legacy OIOXML and EDIFACT, legacy files cut in half),
or raise the ``MedcomError`` subclass of the command's error, with its line and column. Bad
input raises, never crashes."""

from __future__ import annotations

import random
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

import medcom
from conftest import Case, corpus

BASIC = b'{"resourceType":"Basic","code":{"text":"x"}}'


def call_or_error(f, *args) -> bytes | medcom.MedcomError:
    try:
        return f(*args)
    except medcom.MedcomError as e:
        return e


def assert_same_as_command(name: str, case: Case, got, cli, same=bytes.__eq__) -> str:
    """Checks one binding result against the command's; returns the outcome's name."""
    what = f"medcom {name} {case.path} ({case.group})"
    stderr = cli.stderr.decode(errors="replace")
    if isinstance(got, bytes):
        assert cli.returncode == 0, f"{what}: only the command failed: {stderr}"
        assert same(got, cli.stdout), f"{what}: the outputs differ"
        return "ok"
    assert cli.returncode != 0, f"{what}: only the binding failed: {got!r}"
    # The command says `medcom: FILE:LINE:COLUMN: MESSAGE`, or `medcom: FILE: MESSAGE`.
    expected = got.message if got.position is None else f":{got.line}:{got.column}: {got.message}"
    assert expected in stderr, f"{what}: the errors differ:\n{expected}\n---\n{stderr}"
    return type(got).__name__


def test_convert_agrees_with_the_command_on_every_official_example(shared, command) -> None:
    cases = corpus(shared)
    with ThreadPoolExecutor(max_workers=2) as pool:
        clis = list(pool.map(lambda c: command.output("convert", c), cases))
    outcomes = Counter()
    for case, cli in zip(cases, clis):
        got = call_or_error(medcom.convert, case.data())
        outcomes[(case.group, assert_same_as_command("convert", case, got, cli))] += 1
    print(dict(outcomes))
    assert outcomes[("fhir", "ok")] > 0 and outcomes[("legacy", "ok")] > 0
    assert outcomes[("legacy-half", "ReadError")] > 0


def without_fresh_values(data: bytes) -> bytes:
    """An acknowledgement without what each call makes afresh: identifiers (runs of at least
    12 hexadecimal digits and dashes) become ``#``, every other digit (dates, times) ``0``."""
    return re.sub(rb"[0-9]", b"0", re.sub(rb"[0-9a-fA-F-]{12,}", b"#", data))


def test_ack_agrees_with_the_command_on_every_official_example(shared, command) -> None:
    cases = corpus(shared)
    with ThreadPoolExecutor(max_workers=2) as pool:
        clis = list(pool.map(lambda c: command.output("ack", c), cases))
    outcomes = Counter()
    for case, cli in zip(cases, clis):
        got = call_or_error(medcom.ack, case.data())
        same = lambda a, b: without_fresh_values(a) == without_fresh_values(b)  # noqa: E731
        outcomes[assert_same_as_command("ack", case, got, cli, same)] += 1
    print(dict(outcomes))
    assert outcomes["ok"] > 0 and outcomes["ReadError"] > 0 and outcomes["AcknowledgeError"] > 0


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: medcom.convert(b'{"resourceType":\n  "Basic",'), medcom.ReadError),
        (lambda: medcom.convert(BASIC, "edifact"), medcom.UnsupportedError),
        (lambda: medcom.convert(BASIC, "pdf"), medcom.UsageError),
        (lambda: medcom.ack(BASIC), medcom.AcknowledgeError),
        (lambda: medcom.ack(BASIC, "maybe"), medcom.UsageError),
        (lambda: medcom.ack(BASIC, to="pdf"), medcom.UsageError),
        (lambda: medcom.ack(BASIC, max_issues=0), medcom.UsageError),
        (lambda: medcom.ack(b""), medcom.ReadError),
    ],
)
def test_each_failure_raises_its_class(call, error) -> None:
    with pytest.raises(error) as raised:
        call()
    assert isinstance(raised.value, medcom.MedcomError)
    assert isinstance(raised.value, ValueError)
    assert raised.value.message


def test_a_read_error_carries_its_position() -> None:
    with pytest.raises(medcom.ReadError) as raised:
        medcom.convert(b'{"resourceType":\n  "Basic",')
    e = raised.value
    assert (e.line, e.column) == e.position and e.line == 2
    assert e.byte is not None and e.byte > 16
    assert str(e).startswith(f"{e.line}:{e.column}: ")


def test_an_oioxml_letter_with_schema_errors_is_refused_at_its_first_error(shared) -> None:
    base = shared / "medcom/legacy/files/glasdam_edifact_converter/test/complete/files/xml"
    letter = (base / "DIS91_1.xml").read_bytes()
    assert medcom.convert(letter, "edifact").startswith(b"UN")
    at = letter.index(b"</ClinicalEmail>")
    changed = letter[:at] + b"<Unknown>kept nowhere</Unknown>" + letter[at:]
    with pytest.raises(medcom.SchemaError) as raised:
        medcom.convert(changed, "edifact")
    assert raised.value.line == 2 and "xsd-unexpected-element" in raised.value.message


def test_a_legacy_letter_gets_its_receipt(shared) -> None:
    base = shared / "medcom/legacy/files/glasdam_edifact_converter/test/complete/files"
    receipt = medcom.ack((base / "edifact/DIS01_1.edi").read_bytes())
    assert b"CONTRL" in receipt and b"CTL03" in receipt
    negative = medcom.ack((base / "edifact/DIS01_1.edi").read_bytes(), "fatal-error")
    assert b"CTL02" in negative
    with pytest.raises(medcom.UsageError):
        medcom.ack((base / "xml/DIS01_1.xml").read_bytes(), to="json")


def test_options_reach_the_conversion_and_the_acknowledgement(shared) -> None:
    pretty = medcom.convert(BASIC, "json", pretty=True)
    assert pretty != BASIC and pretty.count(b"\n") > 2
    assert medcom.convert(pretty) == medcom.convert(BASIC)
    message = next(
        c.data() for c in corpus(shared) if c.group == "fhir" and c.path.suffix == ".xml"
        and b"carecommunication" in c.path.as_posix().encode()
    )
    as_json = medcom.ack(message, "transient-error", to="json")
    assert as_json.startswith(b"{") and b'"transient-error"' in as_json
    assert medcom.ack(message, "ok").startswith(b"<?xml")


def test_random_bytes_raise_medcom_errors_and_never_crash() -> None:
    rng = random.Random(20261207)
    openings = [b"", b'<Bundle xmlns="http://hl7.org/fhir">', b'{"resourceType":"Bundle",',
                b"UNA:+.? 'UNB+UNOC:3+", b"<Emessage>", b"\xef\xbb\xbf<"]
    outcomes = Counter()
    for i in range(1000):
        data = rng.choice(openings) + rng.randbytes(rng.randrange(0, 2048))
        f = medcom.convert if i % 2 == 0 else medcom.ack
        got = call_or_error(f, data)
        outcomes[type(got).__name__] += 1
    print(dict(outcomes))
    assert outcomes["ReadError"] > 0


def test_only_bytes_are_messages_and_names_are_strings() -> None:
    for wrong in ("<Bundle/>", None, 42):
        with pytest.raises(TypeError):
            medcom.convert(wrong)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            medcom.ack(wrong)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        medcom.convert(BASIC, 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        medcom.ack(BASIC, None, True)  # type: ignore[misc]  # options are keywords
