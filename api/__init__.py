"""Interfaces of convo: the FastAPI service and the `convo` command line."""
