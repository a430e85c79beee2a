"""Our own locale formats, layered over Django's (settings.FORMAT_MODULE_PATH): only what
differs from Django's defaults for a language is written here."""
