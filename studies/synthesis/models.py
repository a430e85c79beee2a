"""Insights, routing and the product and marketing boards (built on fieldwork's tags)."""
