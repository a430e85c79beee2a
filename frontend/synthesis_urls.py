"""Pages of synthesis: the synthesis screen, the study's insights and its tags."""

from django.urls import path

from frontend.synthesis import insights, screen, tags

urlpatterns = [
    path("studies/<uuid:study_id>/synthesis/", screen.synthesis, name="synthesis"),
    path("studies/<uuid:study_id>/insights/", insights.insight_list, name="insights"),
    path("studies/<uuid:study_id>/tags/", tags.tag_list, name="tags"),
    path("tags/<uuid:tag_id>/", tags.tag_edit, name="tag-edit"),
    path("tags/<uuid:tag_id>/merge/", tags.tag_merge, name="tag-merge"),
]
