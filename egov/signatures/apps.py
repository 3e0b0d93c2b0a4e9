"""Digital signatures: trust roots, signers (PKCS#11 HSM, signing agent, remote; PKCS#12 for
development), PAdES with Decree 30 appearances, validation and public verification.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignaturesConfig(AppConfig):
    name = "egov.signatures"
    label = "signatures"
    verbose_name = _("Chữ ký số")
