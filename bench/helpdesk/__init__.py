"""A minimal Django project serving django-helpdesk, for the side-by-side comparison (bench/compare.py).

Runs only in its own virtualenv (.venv-helpdesk, `make bench-helpdesk`), never imported by SWS."""
