"""Full-text search over observations, quotes and insights (one service, two backends)."""
