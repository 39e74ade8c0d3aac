"""The console's roles: a module of its own, so that the command line can offer them without
loading the accounts' database and password machinery (`scheduler.accounts` does the rest)."""

from scheduler.languages import translatable

# In rising order of what they may do: each role may do all that the ones before it may.
ROLES = ("viewer", "editor", "admin")
ROLE_HELP = {
    "viewer": translatable("reads everything in the console"),
    "editor": translatable("imports, solves, edits drafts, publishes and runs the day"),
    "admin": translatable("everything, and manages accounts"),
}
