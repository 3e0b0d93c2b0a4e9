"""Demo step for ``manage.py seed_demo``: the catalogue's declarations (tờ khai) are filled online.

The demo catalogue lists the declaration as the first required document of procedures that have
an electronic form; online, the form the citizen fills replaces that paper, so it is marked
``filled_online`` (an administrator sets the same flag in the admin for real data).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from egov.organizations.management.demo_seed import DemoSeed
from egov.procedures.models import FormSchema, RequiredDocument

DECLARATION_PREFIXES = ("Tờ khai", "Đơn đề nghị", "Đơn đăng ký")


def seed(demo: DemoSeed) -> None:
    with_forms = FormSchema.objects.filter(is_current=True).values("procedure")
    marked = 0
    for prefix in DECLARATION_PREFIXES:
        marked += RequiredDocument.objects.filter(
            procedure__in=with_forms, order=1, name__startswith=prefix, filled_online=False
        ).update(filled_online=True)
    demo.say(_("Dịch vụ công trực tuyến: %(n)d tờ khai được thay bằng tờ khai điện tử.") % {"n": marked})
