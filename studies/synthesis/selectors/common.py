"""What several synthesis reads share: tags in name order and the segment filter."""

from django.db.models import Prefetch, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from studies.fieldwork.models import Tag


def tags_in_order(lookup: str = "tags") -> Prefetch:
    """Tags prefetched by name, as every page lists them."""
    return Prefetch(lookup, queryset=Tag.objects.order_by(Lower("name"), "pk"))


TAGS_IN_ORDER = tags_in_order()


def segment_filter(prefix: str, segment: str) -> Q:
    """`key=value` matches that pair in the segment; any other text matches the phrase."""
    key, sep, value = segment.partition("=")
    if sep and key.strip():
        # The key is the client's text: taken as one literal key, never parsed as lookups
        # ("region__regex" would otherwise reach the database as a regex lookup).
        return Q(Exact(KeyTextTransform(key.strip(), f"{prefix}segment"), value.strip()))
    return Q(**{f"{prefix}segment_phrase__icontains": segment.strip()})
