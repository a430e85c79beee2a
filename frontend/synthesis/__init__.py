"""Synthesis pages: the screen where observations become insights (screen.py), the study's
insights as cards (insights.py), and its tag taxonomy (tags.py). Thin: access functions,
selectors and services do the work.

Refusals from services re-render the page with the message next to the field and a 4xx
status (400 for bad input, 409 for a clash with the current state), never a 500.
"""
