"""What the tests of the Python binding share: the official examples (env ``MEDCOM_SHARED``,
default ``../shared`` beside the project) and the ``medcom`` command's JSON for them (env
``MEDCOM_BIN``, default ``target/release/medcom``). ``MEDCOM_REQUIRE_SHARED`` (set by
``.ci/run``) turns a skip into a failure."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _missing(why: str) -> None:
    if os.environ.get("MEDCOM_REQUIRE_SHARED"):
        pytest.fail(f"MEDCOM_REQUIRE_SHARED is set but {why}", pytrace=False)
    print(f"\n*** SKIPPED: {why} ***\n")
    pytest.skip(why)


def shared_dir() -> Path | None:
    """The shared reference folder, or None when it is absent."""
    path = Path(os.environ.get("MEDCOM_SHARED", ROOT.parent / "shared"))
    return path if (path / "README.md").is_file() else None


@dataclass(frozen=True)
class Case:
    """One input: an official file, or the first half of one (``half``)."""

    group: str  # "fhir", "legacy" or "legacy-half"
    path: Path
    half: bool = False

    def data(self) -> bytes:
        data = self.path.read_bytes()
        return data[: len(data) // 2] if self.half else data

    @property
    def id(self) -> str:
        return f"{self.group}:{self.path.name}"


def corpus(shared: Path) -> list[Case]:
    """Every FHIR example of the manifest, every legacy ``.xml`` and ``.edi`` file, and the
    first half of each legacy file (the official legacy files are all valid)."""
    base = shared / "medcom/fhir/examples"
    lines = (base / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    cases = [Case("fhir", base / line.split("\t")[0]) for line in lines if line.strip()]
    legacy = sorted(
        p for p in (shared / "medcom/legacy/files").rglob("*") if p.suffix in (".xml", ".edi")
    )
    for path in legacy:
        cases.append(Case("legacy", path))
        cases.append(Case("legacy-half", path, half=True))
    return cases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        shared = shared_dir()
        cases = corpus(shared) if shared else []
        metafunc.parametrize("case", cases or [None], ids=[c.id for c in cases] or ["no-shared"])


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if path is None:
        _missing(
            f"shared reference material not found at "
            f"{os.environ.get('MEDCOM_SHARED', ROOT.parent / 'shared')} (set MEDCOM_SHARED)"
        )
    return path


@pytest.fixture(scope="session")
def medcom_bin() -> Path:
    path = Path(os.environ.get("MEDCOM_BIN", ROOT / "target/release/medcom"))
    if not path.is_file():
        _missing(f"the medcom command is not built at {path} (cargo build --release, or set MEDCOM_BIN)")
    return path


class Command:
    """Runs ``medcom validate --format json`` over many files at once and remembers the
    per-file objects, keyed by case and options."""

    def __init__(self, bin: Path, scratch: Path) -> None:
        self.bin = bin
        self.scratch = scratch
        self.reports: dict[tuple[Case, tuple[str, ...]], dict] = {}

    def file(self, case: Case) -> Path:
        if not case.half:
            return case.path
        path = self.scratch / f"{abs(hash(case.path))}-half-{case.path.name}"
        if not path.exists():
            path.write_bytes(case.data())
        return path

    def run(self, cases: list[Case], options: tuple[str, ...] = ()) -> None:
        todo = [c for c in cases if (c, options) not in self.reports]
        for start in range(0, len(todo), 400):
            chunk = todo[start : start + 400]
            out = subprocess.run(
                [str(self.bin), "validate", "--format", "json", *options]
                + [str(self.file(c)) for c in chunk],
                capture_output=True,
                check=False,
            )
            files = json.loads(out.stdout)["files"]
            assert len(files) == len(chunk), out.stderr.decode(errors="replace")
            for case, report in zip(chunk, files):
                self.reports[(case, options)] = report

    def output(self, command: str, case: Case) -> subprocess.CompletedProcess[bytes]:
        """``medcom COMMAND FILE`` for the case (``convert`` or ``ack``)."""
        return subprocess.run(
            [str(self.bin), command, str(self.file(case))], capture_output=True, check=False
        )

    def report(self, case: Case, options: tuple[str, ...] = ()) -> dict:
        """The command's object for the case, with ``path`` None as a binding gives it."""
        self.run([case], options)
        return {**self.reports[(case, options)], "path": None}


@pytest.fixture(scope="session")
def command(shared: Path, medcom_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Command:
    command = Command(medcom_bin, tmp_path_factory.mktemp("halves"))
    command.run(corpus(shared))
    return command
