"""Catalogue files: the kind is chosen by the extension (``.json`` or ``.xlsx``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from egov.procedures.importexport.document import CatalogueImportError, ImportProblem
from egov.procedures.importexport.excel_file import read_workbook, write_workbook

SUPPORTED_SUFFIXES = (".json", ".xlsx")


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise CatalogueImportError(
            [
                ImportProblem(
                    path.name,
                    _("Chỉ nhận tệp .json hoặc .xlsx, không nhận “%(suffix)s”.") % {"suffix": suffix},
                )
            ]
        )
    return suffix


def read_catalogue_file(path: Path) -> dict[str, Any]:
    """The format document in a file; ``CatalogueImportError`` when it cannot be read at all."""
    kind = file_kind(path)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise CatalogueImportError([ImportProblem(path.name, str(error))]) from error
    if kind == ".xlsx":
        return read_workbook(content)
    return read_json(content, name=path.name)


def read_json(content: bytes, *, name: str = "tệp") -> dict[str, Any]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CatalogueImportError(
            [ImportProblem(name, _("Không đọc được JSON: %(error)s") % {"error": error})]
        ) from error
    if not isinstance(data, dict):
        raise CatalogueImportError([ImportProblem(name, _("Tệp không chứa một đối tượng JSON."))])
    return data


def write_catalogue_file(document: dict[str, Any], path: Path) -> None:
    if file_kind(path) == ".xlsx":
        with path.open("wb") as target:
            write_workbook(document, target)
        return
    path.write_text(dumps(document), encoding="utf-8")


def dumps(document: dict[str, Any]) -> str:
    """JSON as people read and diff it: Vietnamese unescaped, two-space indents, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
