"""The database-specific halves of search. Each backend answers one ranked page of hits with
their matches marked; the service decides who sees what and shapes the hits."""
