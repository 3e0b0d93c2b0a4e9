"""Import and export of the catalogue: the documented format (``docs/catalogue-format.md``).

- ``document``: the format itself, parsed and validated without the database (``parse_catalogue``).
- ``json_file`` and ``excel_file``: read and write the two file kinds.
- ``export``: the catalogue in the database as a format document.
- ``upsert``: row-level writes used by ``procedures.services.import_catalogue``.
"""

from egov.procedures.importexport.document import (
    FORMAT_NAME,
    FORMAT_VERSION,
    Catalogue,
    CatalogueImportError,
    ImportProblem,
    parse_catalogue,
)
from egov.procedures.importexport.files import read_catalogue_file, write_catalogue_file

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "Catalogue",
    "CatalogueImportError",
    "ImportProblem",
    "parse_catalogue",
    "read_catalogue_file",
    "write_catalogue_file",
]
