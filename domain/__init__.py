"""Pure domain of convo: aggregates, events and value types. No I/O."""
