"""Demo data for this app; called by `manage.py seed_demo` after the apps it builds on."""


def seed(*, options, rng, out):
    """Idempotent: a second run adds nothing twice. Progress goes to `out`."""
