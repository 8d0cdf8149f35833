"""Lists come in pages of 50, as on the pages; a client may ask for up to 200 with
`?page_size=`."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
