"""Models of the procedures catalogue, one module per concern."""

from egov.procedures.models.catalogue import (
    DocumentForm,
    Fee,
    Field,
    ImplementingLevel,
    OnlineLevel,
    Procedure,
    RequiredDocument,
)
from egov.procedures.models.form_schema import FormSchema
from egov.procedures.models.process import ProcessStep, ProcessTemplate

__all__ = [
    "DocumentForm",
    "Fee",
    "Field",
    "FormSchema",
    "ImplementingLevel",
    "OnlineLevel",
    "Procedure",
    "ProcessStep",
    "ProcessTemplate",
    "RequiredDocument",
]
