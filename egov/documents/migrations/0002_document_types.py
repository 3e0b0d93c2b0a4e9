"""The 29 administrative document types of Decree 30/2020 (Appendix III) and the copy forms."""

from typing import Any

from django.db import migrations

from egov.documents.types_data import COPY_FORMS, DOCUMENT_TYPES, load_types


def load(apps: Any, schema_editor: Any) -> None:
    load_types(apps.get_model("documents", "DocumentType"))


def unload(apps: Any, schema_editor: Any) -> None:
    codes = [row[0] for row in DOCUMENT_TYPES] + [row[0] for row in COPY_FORMS]
    apps.get_model("documents", "DocumentType").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
