"""The event domain: problem files, the database, schedule versions, the `scheduler` command."""
