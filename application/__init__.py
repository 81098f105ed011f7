"""Use cases of convo: the turn, intent classification, tools and the event store app."""
