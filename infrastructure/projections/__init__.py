"""Analytics read models in SQL tables, following the event log with tracking."""
