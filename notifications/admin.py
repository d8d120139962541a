from notifications import admin_messages  # noqa: F401  (the message templates' admin)
