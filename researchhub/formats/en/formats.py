"""English as ResearchHub writes it: times on the 24-hour clock, as every page shows them
(and as the field app's scripts format them, reading the hour cycle from <html>)."""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
