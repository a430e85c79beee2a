"""Pages of synthesis: the synthesis screen, the study's insights and its tags."""

from django.urls import path

from frontend import synthesis

urlpatterns = [
    path("studies/<uuid:study_id>/synthesis/", synthesis.synthesis, name="synthesis"),
    path("studies/<uuid:study_id>/insights/", synthesis.insight_list, name="insights"),
    path("studies/<uuid:study_id>/tags/", synthesis.tag_list, name="tags"),
    path("tags/<uuid:tag_id>/", synthesis.tag_edit, name="tag-edit"),
    path("tags/<uuid:tag_id>/merge/", synthesis.tag_merge, name="tag-merge"),
]
