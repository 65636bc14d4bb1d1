"""``medcom.validate`` agrees with ``medcom validate --format json`` on every official example
(FHIR valid and invalid, legacy letters and receipts, legacy files cut in half), and bad input
gives a report that says so, never an exception or a crash."""

from __future__ import annotations

import doctest
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

import medcom
from conftest import Case, corpus


def test_every_official_example_agrees_with_the_command(case: Case | None, command) -> None:
    if case is None:
        pytest.skip("no shared reference material")
    report = medcom.validate(case.data())
    expected = command.report(case)
    assert report["valid"] == expected["valid"], f"{case.path}: the verdicts differ"
    assert report == expected, f"{case.path}: the reports differ"


def test_the_examples_span_both_verdicts_in_each_group(shared, command) -> None:
    verdicts = Counter((c.group, command.report(c)["valid"]) for c in corpus(shared))
    print(dict(verdicts))
    assert verdicts[("fhir", True)] > 0 and verdicts[("fhir", False)] > 0
    assert verdicts[("legacy", True)] > 0
    assert verdicts[("legacy-half", False)] > 0


def test_options_agree_with_the_command_flags(shared, command) -> None:
    cases = corpus(shared)[::15]
    flags = ("--unmask", "--no-profiles")
    command.run(cases, flags)
    for case in cases:
        report = medcom.validate(case.data(), profiles=False, unmask=True)
        assert report == command.report(case, flags), case.path


def test_random_bytes_give_an_invalid_report() -> None:
    rng = random.Random(20261207)
    openings = [b"", b"<Bundle xmlns=\"http://hl7.org/fhir\">", b'{"resourceType":"Bundle",',
                b"UNA:+.? 'UNB+UNOC:3+", b"<Emessage>", b"\xef\xbb\xbf<"]
    for _ in range(1000):
        data = rng.choice(openings) + rng.randbytes(rng.randrange(0, 2048))
        report = medcom.validate(data)
        assert report["valid"] is False
        assert report["issues"], data[:40]


def test_only_bytes_are_messages() -> None:
    for wrong in ("<Bundle/>", None, 42, [60, 62]):
        with pytest.raises(TypeError):
            medcom.validate(wrong)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        medcom.validate(b"{}", True)  # type: ignore[misc]  # options are keywords


def test_threads_get_the_reports_of_one_thread(shared) -> None:
    data = [c.data() for c in corpus(shared)[::20]]
    alone = [medcom.validate(d) for d in data]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(medcom.validate, data * 3))
    assert together == alone * 3


def test_warm_up_changes_no_report() -> None:
    before = medcom.validate(b'{"resourceType":"Bundle","type":"message"}')
    medcom.warm_up(2)
    assert medcom.validate(b'{"resourceType":"Bundle","type":"message"}') == before


def test_the_package_is_typed_and_documented() -> None:
    from importlib import resources

    package = resources.files("medcom")
    assert package.joinpath("py.typed").is_file()
    assert package.joinpath("_medcom.pyi").is_file()
    for name in medcom.__all__:
        if name != "__version__":
            assert getattr(medcom, name).__doc__, name
    # The stubs declare exactly the native module's functions, with the same parameters.
    import ast
    import inspect

    from medcom import _medcom

    stubs = ast.parse(package.joinpath("_medcom.pyi").read_text(encoding="utf-8"))
    declared = {
        f.name: [a.arg for a in f.args.args + f.args.kwonlyargs]
        for f in stubs.body
        if isinstance(f, ast.FunctionDef)
    }
    native = {
        name: list(inspect.signature(f).parameters)
        for name, f in vars(_medcom).items()
        if callable(f) and not name.startswith("_")
    }
    assert declared == native
    failed, attempted = doctest.testmod(medcom)
    assert attempted > 0 and failed == 0
