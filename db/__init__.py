"""Storage: SQLAlchemy models, sessions, migrations and the functions that write results."""
