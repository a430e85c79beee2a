from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "studies.fieldwork"
    label = "fieldwork"
    default_auto_field = "django.db.models.BigAutoField"
