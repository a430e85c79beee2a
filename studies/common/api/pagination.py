from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class NewestFirstCursorPagination(pagination.CursorPagination):
    """Pages without a total: for lists whose count would cost more than the page itself
    (the quote bank checks consent and board placement for every row it counts)."""

    ordering = ("-captured_at", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
