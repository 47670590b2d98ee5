"""What happens to one input file and to a run, as plain functions the Prefect flows call."""
