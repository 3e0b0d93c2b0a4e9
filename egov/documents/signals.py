"""What the documents app tells apps above or beside it (they subscribe; documents imports none)."""

from django.dispatch import Signal

# Sent inside the issuing transaction, after numbering and delivery, with ``document`` (the issued
# OutgoingDocument) and ``version`` (its issued OutgoingVersion, the final signed file). A receiver
# that raises rolls the issue back, so the documents and their owners never disagree.
outgoing_issued = Signal()
