"""The event log as its readers see it: its head, the records after a position, one aggregate's
records of some types. The one place that reads the library's recorder and mapper for them."""
