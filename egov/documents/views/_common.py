"""What the documents screens share: the official, 404 outside scope, files, pages of 20."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Page, Paginator
from django.http import FileResponse, HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.documents.selectors import PAGE_SIZE, bounded_count


def official(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_official:
        raise PermissionDenied(_("Trang này dành cho cán bộ, công chức."))
    return user


def page_of(request: HttpRequest, rows: Any, *, bounded: bool = False) -> Page[Any]:
    paginator = BoundedPaginator(rows, PAGE_SIZE) if bounded else Paginator(rows, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


class BoundedPaginator(Paginator):
    """Counts at most ``COUNT_LIMIT + 1`` rows (search results): pages stop there."""

    @cached_property
    def count(self) -> int:
        return bounded_count(self.object_list)  # type: ignore[arg-type]


def pdf_response(name: str, download_name: str) -> FileResponse:
    handle = default_storage.open(name, "rb")
    return FileResponse(handle, content_type="application/pdf", filename=download_name, as_attachment=False)


def add_errors(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field when it names fields, else on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
