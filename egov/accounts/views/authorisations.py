"""The desk's screen for authorisations to act for an organisation: look up, record, revoke.

The services (``egov.accounts.authorisations``) check the permission and audit; this view only
turns the officer's input into their arguments and their refusals into field errors.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.accounts import authorisations, forms, selectors
from egov.accounts.decorators import login_required
from egov.accounts.models import OrganisationAuthorisation, User
from egov.accounts.requests import client_ip
from egov.core import clock
from egov.organizations.models import Agency

# Service argument names that differ from the form's field names.
FIELD_OF_ARGUMENT = {"person": "national_id"}


def _desks(request: HttpRequest) -> list[Agency]:
    desks = list(selectors.authorisation_desks(request.user))
    if not desks:
        raise PermissionDenied(_("Chỉ cán bộ bộ phận một cửa được ghi nhận quyền đại diện tổ chức."))
    return desks


@require_http_methods(["GET", "POST"])
@login_required
def authorisations_desk(request: HttpRequest) -> HttpResponse:
    """Search by tax code or ID number; record a new authorisation below the results."""
    desks = _desks(request)
    search = forms.AuthorisationSearchForm(request.GET or None)
    lookup = search.lookup()
    form = forms.OrganisationAuthorisationForm(
        request.POST or None, agencies=desks, initial={"agency": desks[0].pk, "tax_code": lookup}
    )
    if request.method == "POST" and form.is_valid() and _record(request, form):
        tax_code = form.cleaned_data["tax_code"]
        return redirect(f"{reverse('accounts:authorisations')}?q={tax_code}")
    return render(
        request,
        "accounts/authorisations.html",
        {
            "search": search,
            "lookup": lookup,
            "rows": selectors.authorisations_matching(actor=request.user, lookup=lookup)[:50],
            "form": form,
            "one_desk": len(desks) == 1,
            "now": clock.now(),
        },
    )


def _record(request: HttpRequest, form: forms.OrganisationAuthorisationForm) -> bool:
    data = form.cleaned_data
    person = selectors.verified_person(data["national_id"])
    if person is None:
        form.add_error(
            "national_id",
            _(
                "Không có tài khoản đã xác thực định danh với số này. Người được ủy quyền cần đăng "
                "nhập bằng VNeID một lần trước khi ghi nhận."
            ),
        )
        return False
    until = data["valid_until"]
    try:
        authorisations.record_organisation_authorisation(
            official=cast(User, request.user),
            agency=data["agency"],
            person=person,
            tax_code=data["tax_code"],
            organisation_name=data["organisation_name"],
            basis=OrganisationAuthorisation.Basis(data["basis"]),
            evidence=data["evidence"],
            valid_until=_end_of_day(until) if until else None,
            ip=client_ip(request),
        )
    except ValidationError as refusal:
        _show_refusal(form, refusal)
        return False
    messages.success(
        request,
        _("Đã ghi nhận %(person)s được đại diện cho %(organisation)s.")
        % {"person": person.display_name, "organisation": data["organisation_name"]},
    )
    return True


def _end_of_day(day: object) -> datetime:
    """ "Valid until 31/12" means to the end of that local day."""
    return datetime.combine(day, time.min, clock.local_zone()) + timedelta(days=1)  # type: ignore[arg-type]


def _show_refusal(form: forms.OrganisationAuthorisationForm, refusal: ValidationError) -> None:
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal)
        return
    for argument, errors in refusal.error_dict.items():
        field = FIELD_OF_ARGUMENT.get(argument, argument)
        form.add_error(field if field in form.fields else None, errors)


@require_POST
@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """End an authorisation now, with the reason the officer gives."""
    desks = _desks(request)
    authorisation = get_object_or_404(OrganisationAuthorisation, pk=pk)
    back = f"{reverse('accounts:authorisations')}?q={authorisation.tax_code}"
    try:
        authorisations.revoke_organisation_authorisation(
            official=cast(User, request.user),
            agency=desks[0],
            authorisation=authorisation,
            reason=request.POST.get("reason", ""),
            ip=client_ip(request),
        )
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("Đã thu hồi quyền đại diện."))
    return redirect(back)
