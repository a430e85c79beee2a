"""/api/v1/ routes for synthesis: tags, insights, boards, quotes, routing rules, webhooks."""

from django.urls import path

from studies.synthesis.api import views
from studies.synthesis.api.views import study_rules

urlpatterns = [
    path(
        "studies/<uuid:study_id>/tag-counts/",
        views.StudyTagCountsApi.as_view(),
        name="api-study-tag-counts",
    ),
    path(
        "studies/<uuid:study_id>/observations/browse/",
        views.StudyObservationBrowseApi.as_view(),
        name="api-study-observations-browse",
    ),
    path("tags/", views.TagListApi.as_view(), name="api-tags"),
    path("tags/<uuid:tag_id>/", views.TagDetailApi.as_view(), name="api-tag"),
    path("tags/<uuid:tag_id>/merge/", views.TagMergeApi.as_view(), name="api-tag-merge"),
    path("insights/", views.InsightListApi.as_view(), name="api-insights"),
    path("insights/<uuid:insight_id>/", views.InsightDetailApi.as_view(), name="api-insight"),
    path(
        "insights/<uuid:insight_id>/evidence/",
        views.InsightEvidenceAddApi.as_view(),
        name="api-insight-evidence",
    ),
    path(
        "insights/<uuid:insight_id>/evidence/remove/",
        views.InsightEvidenceRemoveApi.as_view(),
        name="api-insight-evidence-remove",
    ),
    path(
        "insights/<uuid:insight_id>/comments/",
        views.InsightCommentListApi.as_view(),
        name="api-insight-comments",
    ),
    path("boards/", views.BoardListApi.as_view(), name="api-boards"),
    path("boards/<str:board>/cards/", views.BoardCardListApi.as_view(), name="api-board-cards"),
    path("cards/<uuid:card_id>/move/", views.CardMoveApi.as_view(), name="api-card-move"),
    path("quotes/", views.QuoteListApi.as_view(), name="api-quotes"),
    path("quotes/export.csv", views.QuoteCsvExportApi.as_view(), name="api-quotes-export-csv"),
    path(
        "quotes/export.md",
        views.QuoteMarkdownExportApi.as_view(),
        name="api-quotes-export-markdown",
    ),
    path("quotes/<uuid:quote_id>/uses/", views.QuoteUseCreateApi.as_view(), name="api-quote-uses"),
    path("routing-rules/", views.RoutingRuleListApi.as_view(), name="api-routing-rules"),
    path(
        "routing-rules/<uuid:rule_id>/",
        views.RoutingRuleDetailApi.as_view(),
        name="api-routing-rule",
    ),
    path(
        "studies/<uuid:study_id>/routing-rules/",
        study_rules.StudyRoutingRuleListApi.as_view(),
        name="api-study-routing-rules",
    ),
    path(
        "studies/<uuid:study_id>/routing-rules/preview/",
        study_rules.StudyRoutingPreviewApi.as_view(),
        name="api-study-routing-preview",
    ),
    path(
        "studies/<uuid:study_id>/routing-rules/<uuid:rule_id>/",
        study_rules.StudyRoutingRuleDetailApi.as_view(),
        name="api-study-routing-rule",
    ),
    path("webhooks/", views.WebhookListApi.as_view(), name="api-webhooks"),
    path("webhooks/<uuid:webhook_id>/", views.WebhookDetailApi.as_view(), name="api-webhook"),
    path(
        "webhooks/<uuid:webhook_id>/deliveries/",
        views.WebhookDeliveryListApi.as_view(),
        name="api-webhook-deliveries",
    ),
]
