"""limit/offset paging with links to the next and previous page."""

from django.db.models import QuerySet

from einblick.catalog.selectors import Located


def page(request, items, paging) -> dict:
    """One page of ``items`` (a list or a queryset); ``Located`` items get their ``distance_km``."""
    limit, offset = paging.limit, paging.offset
    if isinstance(items, QuerySet):
        count = items.count()
        results = list(items[offset : offset + limit]) if offset < count else []
    else:
        count = len(items)
        results = items[offset : offset + limit]
    results = [_unwrap(item) for item in results]

    def link(new_offset: int) -> str:
        query = request.GET.copy()
        query["offset"] = str(new_offset)
        query["limit"] = str(limit)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "results": results,
    }


def _unwrap(item):
    if isinstance(item, Located):
        item.item.distance_km = round(item.distance, 2) if item.distance is not None else None
        return item.item
    return item
