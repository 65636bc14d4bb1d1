"""Type stubs of the native module (the functions `medcom` re-exports)."""

from typing import Any, Literal, Optional

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

def convert(
    data: bytes,
    to: Optional[Literal["json", "xml", "oioxml", "edifact"]] = None,
    *,
    pretty: bool = False,
) -> bytes:
    """Converts a message to another format, recognising the input by its content, as
    ``medcom convert`` does: a FHIR message or resource between XML (``"xml"``) and JSON
    (``"json"``), a legacy letter between OIOXML (``"oioxml"``) and EDIFACT (``"edifact"``).
    ``to=None`` converts to the other format of the input's generation. ``pretty=True`` indents
    FHIR output.

    Raises ``ReadError`` (with ``line`` and ``column``) when the input is not a readable
    message, ``UnsupportedError`` for a format of the other generation (a FHIR message to
    EDIFACT), ``SchemaError`` for an OIOXML letter with schema errors (converting it would drop
    content), ``UsageError`` for an unknown format name. The GIL is released while converting.
    """

def ack(
    data: bytes,
    code: Optional[Literal["ok", "transient-error", "fatal-error"]] = None,
    *,
    strict: bool = False,
    to: Optional[Literal["json", "xml"]] = None,
    max_issues: int = 100,
) -> bytes:
    """Answers a received message as ``medcom ack`` does: a FHIR message gets its
    Acknowledgement (MedCom Acknowledgement 2.0.3, in the message's format unless ``to`` says
    otherwise), a legacy OIOXML or EDIFACT letter its receipt (XCTL or CTL).

    Without ``code`` the message is validated and the receive policy decides: ``fatal-error``
    naming the broken rules when something prevents processing (with ``strict=True``, any
    error), else ``ok``. The acknowledgement lists at most ``max_issues`` issues and says how
    many more there were.

    Raises ``ReadError`` (with ``line`` and ``column``) when the input is not a readable
    message, ``AcknowledgeError`` when it cannot be acknowledged (no MessageHeader, an
    acknowledgement itself, no UNB segment), ``UsageError`` for an unknown code or format, or
    ``to`` given for a legacy letter. The GIL is released while answering.
    """

def warm_up(threads: int = 1) -> None:
    """Loads the profile rules of every MedCom standard now, on up to ``threads`` threads."""
