"""The console's roles: a module of its own, so that the command line can offer them without
loading the accounts' database and password machinery (`scheduler.accounts` does the rest)."""

# In rising order of what they may do: each role may do all that the ones before it may.
ROLES = ("viewer", "editor", "admin")
ROLE_HELP = {
    "viewer": "reads everything in the console",
    "editor": "imports, solves, edits drafts, publishes and runs the day",
    "admin": "everything, and manages accounts",
}
