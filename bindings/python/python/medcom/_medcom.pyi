"""Type stubs of the native module (the functions `medcom` re-exports)."""

from typing import Any

__version__: str

def validate(data: bytes, *, profiles: bool = True, unmask: bool = False) -> dict[str, Any]:
    """Validates one message of any kind and returns its report.

    The report is the object ``medcom validate --format json`` prints for one file, with
    ``path`` None: ``valid`` (bool), ``message_type`` (str or None) and ``issues``, a list of
    dicts with ``code``, ``severity``, ``expression``, ``line``, ``column`` and ``message``.

    Input that is not a message gives a report with ``valid`` False and an error finding that
    says where reading stopped: validation itself never raises for bad input.

    ``profiles=False`` checks FHIR messages by the MedCom message rules alone (faster; not a
    conformance verdict). ``unmask=True`` lets messages quote the offending values (may be
    patient data; masked by default). The GIL is released while validating.
    """

def warm_up(threads: int = 1) -> None:
    """Loads the profile rules of every MedCom standard now, on up to ``threads`` threads."""
