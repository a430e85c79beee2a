"""Importing a panel from a file: the upload, and the preview with every row's problems."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.scheduling.models import PanelImport, PanelImportStatus
from studies.scheduling.services.panel import panel_import_progress

__all__ = [
    "PanelExportQueryInputSerializer",
    "PanelImportInputSerializer",
    "PanelImportOutputSerializer",
]


class PanelImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_(
            "A CSV (UTF-8 or Windows-1252; comma, semicolon or tab separated) or XLSX file "
            "of up to 10 MB and 20,000 households; the first row names the columns."
        )
    )


class PanelProblemOutputSerializer(serializers.Serializer):
    column = serializers.CharField(
        read_only=True, help_text=_("The column as the file names it (empty: the whole row).")
    )
    message = serializers.CharField(read_only=True)


class PanelImportRowOutputSerializer(serializers.Serializer):
    line = serializers.IntegerField(read_only=True, help_text=_("The row's line in the file."))
    code = serializers.CharField(
        read_only=True, help_text=_("The household's code: from the file, or made for it.")
    )
    generated = serializers.BooleanField(
        read_only=True, default=False, help_text=_("True when the code was made for the row.")
    )
    outcome = serializers.ChoiceField(
        choices=[("new", "new"), ("unchanged", "unchanged"), ("problem", "problem")],
        read_only=True,
        help_text=_(
            "new: joins the panel; unchanged: in the panel already with these details; "
            "problem: see `problems` (nothing is imported while any row has one)."
        ),
    )
    problems = PanelProblemOutputSerializer(many=True, read_only=True, default=list)


class PanelImportCountsOutputSerializer(serializers.Serializer):
    new = serializers.IntegerField(source="new_count", read_only=True)
    unchanged = serializers.IntegerField(source="unchanged_count", read_only=True)
    problem = serializers.IntegerField(source="problem_count", read_only=True)


class PanelImportOutputSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(PanelImportStatus, enum_name="PanelImportStatus", read_only=True)
    study = serializers.UUIDField(source="study_id", read_only=True)
    rows_done = serializers.SerializerMethodField(
        help_text=_("Rows checked (while checking) or imported (while importing) so far.")
    )
    counts = PanelImportCountsOutputSerializer(source="*", read_only=True)
    file_problems = PanelProblemOutputSerializer(
        many=True,
        read_only=True,
        help_text=_("Problems with the columns: unknown, missing or named twice."),
    )
    rows = PanelImportRowOutputSerializer(
        many=True,
        read_only=True,
        help_text=_("Every row of the file, once checked; empty while checking."),
    )

    class Meta:
        model = PanelImport
        fields = [
            "id",
            "study",
            "file_name",
            "status",
            "rows_total",
            "rows_done",
            "counts",
            "file_problems",
            "rows",
            "created_at",
            "imported_at",
        ]
        read_only_fields = fields

    def get_rows_done(self, panel_import: PanelImport) -> int:
        return panel_import_progress(panel_import)


class PanelExportQueryInputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=[("csv", "csv"), ("xlsx", "xlsx")],
        default="csv",
        help_text=_("csv (UTF-8 with a byte-order mark) or xlsx."),
    )
