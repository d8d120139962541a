"""STORAGES["attachments"] from the environment (read by sws/settings.py; a function so the wiring is
tested without reloading the settings). No Django import: settings import this before Django is set up.

With ATTACHMENTS_S3_BUCKET: django-storages' S3Storage (the `s3` extra), private objects, signed URLs
only (the app never hands one out: it streams through the download view), no overwrite, server-side
encryption unless turned off. Without it: the private folder ATTACHMENTS_ROOT. docs/attachments.md.
"""

S3_BACKEND = "storages.backends.s3.S3Storage"
FILE_SYSTEM_BACKEND = "attachments.storage.PrivateFileSystemStorage"


def _blank_is_none(value):
    # An empty variable (ATTACHMENTS_S3_ENDPOINT_URL= in a .env) means "not set": boto3 refuses "".
    return value or None


def attachments_storage(env, root) -> dict:
    """The "attachments" entry of STORAGES for `env` (a django-environ Env)."""
    bucket = env("ATTACHMENTS_S3_BUCKET", default="")
    if not bucket:
        return {
            "BACKEND": FILE_SYSTEM_BACKEND,
            "OPTIONS": {
                "location": root,
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    encrypt = env.bool("ATTACHMENTS_S3_ENCRYPT", default=True)
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": _blank_is_none(env("ATTACHMENTS_S3_ENDPOINT_URL", default="")),  # MinIO/OSS/COS
            "region_name": _blank_is_none(env("ATTACHMENTS_S3_REGION", default="")),
            # Without keys boto3 uses the host's role or instance credentials.
            "access_key": _blank_is_none(env("ATTACHMENTS_S3_ACCESS_KEY_ID", default="")),
            "secret_key": _blank_is_none(env("ATTACHMENTS_S3_SECRET_ACCESS_KEY", default="")),
            "location": env("ATTACHMENTS_S3_PREFIX", default="attachments"),
            "addressing_style": env("ATTACHMENTS_S3_ADDRESSING_STYLE", default="path"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,  # were a URL ever asked for, it would be signed, never public
            "object_parameters": {"ServerSideEncryption": "AES256"} if encrypt else {},
        },
    }
