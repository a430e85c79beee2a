"""The tag admin, re-registered so that changing a tag's group routes its insights again."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext

from studies.fieldwork.admin import TagAdmin as FieldworkTagAdmin
from studies.fieldwork.models import Tag
from studies.synthesis.models import InsightTag
from studies.synthesis.services.routing import insights_route

# Tags are fieldwork's (ADR 0008), but a tag's group decides where its insights are routed,
# which fieldwork knows nothing of: synthesis re-registers the tag admin so that changing a
# group in the admin routes the tag's insights again, as the tag page and the API do.
admin.site.unregister(Tag)


@admin.register(Tag)
class RoutedTagAdmin(FieldworkTagAdmin):
    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "group" in form.changed_data:
            outcome = insights_route(
                insight_ids=InsightTag.objects.filter(tag=obj).values_list("insight_id", flat=True),
                actor=request.user,
            )
            if outcome.changed:
                self.message_user(
                    request,
                    gettext(
                        "Insights re-routed: %(placed)d cards placed or put back, "
                        "%(removed)d taken off."
                    )
                    % {
                        "placed": len(outcome.placed) + len(outcome.restored),
                        "removed": len(outcome.removed),
                    },
                )
