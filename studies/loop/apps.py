from django.apps import AppConfig


class LoopConfig(AppConfig):
    name = "studies.loop"
    label = "loop"
    default_auto_field = "django.db.models.BigAutoField"
