"""Validate, convert and acknowledge Danish MedCom healthcare messages.

FHIR R4 messages (XML and JSON), legacy OIOXML and EDIFACT letters, and either inside a
VANSEnvelope or an EHMI SBDH envelope: the kind is detected from the content.

>>> import medcom
>>> report = medcom.validate(b"not a message")
>>> report["valid"]
False
>>> issue = report["issues"][0]
>>> issue["code"], issue["severity"], issue["line"], issue["column"]
('fhir-read', 'error', 1, 1)

Conversion and acknowledgement raise a :class:`MedcomError` subclass that carries the position:

>>> medcom.convert(b'{"resourceType":"Basic","code":{"text":"x"}}', "xml")
b'<?xml version="1.0" encoding="UTF-8"?><Basic xmlns="http://hl7.org/fhir"><code><text value="x"/></code></Basic>'
>>> try:
...     medcom.convert(b'{"resourceType":')
... except medcom.ReadError as e:
...     print(type(e).__name__, e.line, e.column)
ReadError 1 17

The functions release the GIL while they work, so threads validate in parallel.
"""

from ._errors import (
    AcknowledgeError,
    MedcomError,
    ReadError,
    SchemaError,
    UnsupportedError,
    UsageError,
)
from ._medcom import __version__, ack, convert, validate, warm_up

__all__ = [
    "__version__",
    "validate",
    "convert",
    "ack",
    "warm_up",
    "MedcomError",
    "ReadError",
    "UnsupportedError",
    "SchemaError",
    "AcknowledgeError",
    "UsageError",
]
