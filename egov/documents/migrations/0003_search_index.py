"""Full-text indexes over the documents' folded search text (``egov.core.search``)."""

from django.db import migrations

from egov.core.search import index_operations


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_document_types")]
    operations = [
        *index_operations("documents_incomingdocument"),
        *index_operations("documents_outgoingdocument"),
    ]
