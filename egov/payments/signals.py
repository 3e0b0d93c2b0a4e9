"""Signals payments sends to the apps above it (they hold the fee orders' subjects).

``payment_settled(sender=FeeOrder, order_id, payment_id, exempt)`` is sent after the commit that
settled a fee order: paid in full through a gateway (``payment_id`` set) or exempted in full
(``exempt=True``, ``payment_id`` None). Receivers run outside that transaction; a failing receiver
never undoes the payment (``send_robust``), it is logged.
"""

from django.dispatch import Signal

payment_settled = Signal()
