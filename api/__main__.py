"""`python -m api` is the `convo` command line."""

from api.cli import main

main()
