"""The boards, the insight page and the marketing quote bank.

A card is a placement of one insight, never a copy: every card links to the one insight
page, and every write here goes to the one Insight row through the synthesis services,
so what one team changes the other sees on its next page load.

Thin, like views.py: access functions, selectors and services do the work. Refusals
re-render the page with the messages and a 4xx status (400 bad input, 403 a role that
may not, 404 not found or not yours, 409 a clash with the current state), never a 500.
Moving a card answers JSON when the drag-and-drop module asks for it.
"""
