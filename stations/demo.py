"""Demo data for the hierarchy, stations, staff and accounts; called first by `manage.py seed_demo`."""


def seed(*, options, rng, out):
    """Idempotent: a second run adds nothing twice. Progress goes to `out`."""


def print_accounts(*, options, out):
    """Print the demo usernames (and the password) at the end of seeding."""
