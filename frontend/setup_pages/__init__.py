"""A research lead's set-up pages: the study and its guide, the panel, the team, staffing
a round and the study's routing rules. Each calls the same services as the API."""
