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
from ._medcom import __version__, validate, warm_up

__all__ = [
    "__version__",
    "validate",
    "warm_up",
    "MedcomError",
    "ReadError",
    "UnsupportedError",
    "SchemaError",
    "AcknowledgeError",
    "UsageError",
]
