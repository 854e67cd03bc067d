from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def requested_page_size(paginator, request) -> int:
    """The ``page_size`` a request asks of ``paginator`` (its default when absent or empty); a 400 naming
    the parameter when it is not a whole number from 1 to the paginator's ``max_page_size``."""
    value = request.query_params.get(paginator.page_size_query_param, "")
    if value == "":
        return paginator.page_size
    try:
        size = int(value)
    except ValueError:
        size = 0
    if not 1 <= size <= paginator.max_page_size:
        raise ValidationError({paginator.page_size_query_param: [
            _("Ask for a whole number of rows from 1 to %(most)d.") % {"most": paginator.max_page_size}]})
    return size


class Pagination(PageNumberPagination):
    """Pages of ``PAGE_SIZE`` rows; ``page_size`` asks for 1 to 500. A ``page_size`` that is not such a
    number is refused (DRF would quietly use the default, and a client would never learn its mistake);
    an empty one means the default, like every empty filter of the API."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        return requested_page_size(self, request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            elif parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        return parameters
