"""The attachments' storage from the environment (sws/storage_settings.py, docs/attachments.md): the
documented ATTACHMENTS_S3_* variables build django-storages' S3Storage with a private ACL, signed URLs only,
no overwrite and encryption; without a bucket, the private folder. No network: the settings are read, no
bucket is touched (django-storages and moto are not in the test environment; see the report)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import environ

from sws.storage_settings import FILE_SYSTEM_BACKEND, S3_BACKEND, attachments_storage

S3_ENV = {
    "ATTACHMENTS_S3_BUCKET": "sws-attachments",
    "ATTACHMENTS_S3_ENDPOINT_URL": "https://minio.sws.example.gov.cn",
    "ATTACHMENTS_S3_REGION": "cn-north-1",
    "ATTACHMENTS_S3_ACCESS_KEY_ID": "AKEXAMPLE",
    "ATTACHMENTS_S3_SECRET_ACCESS_KEY": "secret-example",
    "ATTACHMENTS_S3_PREFIX": "tianjin/attachments",
}


def _storage(monkeypatch, **variables):
    for name in [*S3_ENV, "ATTACHMENTS_S3_ENCRYPT", "ATTACHMENTS_S3_ADDRESSING_STYLE"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return attachments_storage(environ.Env(), "/srv/sws/private")


def test_without_a_bucket_the_files_stay_in_the_private_folder(monkeypatch):
    storage = _storage(monkeypatch)
    assert storage["BACKEND"] == FILE_SYSTEM_BACKEND
    assert storage["OPTIONS"]["location"] == "/srv/sws/private"
    assert storage["OPTIONS"]["file_permissions_mode"] == 0o600


def test_the_documented_variables_build_a_private_s3_storage(monkeypatch):
    storage = _storage(monkeypatch, **S3_ENV)
    assert storage["BACKEND"] == S3_BACKEND == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "sws-attachments",
        "endpoint_url": "https://minio.sws.example.gov.cn",
        "region_name": "cn-north-1",
        "access_key": "AKEXAMPLE",
        "secret_key": "secret-example",
        "location": "tianjin/attachments",
        "addressing_style": "path",
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        "object_parameters": {"ServerSideEncryption": "AES256"},
    }


def test_blank_variables_mean_unset_and_encryption_can_be_turned_off(monkeypatch):
    storage = _storage(
        monkeypatch,
        ATTACHMENTS_S3_BUCKET="sws-attachments",
        ATTACHMENTS_S3_ENDPOINT_URL="",
        ATTACHMENTS_S3_ACCESS_KEY_ID="",
        ATTACHMENTS_S3_ENCRYPT="false",
        ATTACHMENTS_S3_ADDRESSING_STYLE="virtual",
    )["OPTIONS"]
    assert storage["endpoint_url"] is None and storage["access_key"] is None  # AWS, the host's role
    assert storage["object_parameters"] == {} and storage["addressing_style"] == "virtual"
    assert storage["default_acl"] == "private" and storage["querystring_auth"] is True


def test_the_settings_module_uses_it():
    """sws/settings.py read in a fresh interpreter with the variables set: its STORAGES carry the S3
    entry (the settings' own wiring, not only the function)."""
    root = Path(__file__).resolve().parents[2]
    code = (
        "import json, sws.settings as s; "
        "print(json.dumps({k: s.STORAGES[k]['BACKEND'] for k in s.STORAGES} | "
        "{'options': s.STORAGES['attachments']['OPTIONS']}))"
    )
    env = {**os.environ, **S3_ENV, "DEBUG": "true"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
    ).stdout
    read = json.loads(out.strip().splitlines()[-1])
    assert read["attachments"] == S3_BACKEND
    assert read["default"] == "django.core.files.storage.FileSystemStorage"
    assert read["options"]["bucket_name"] == "sws-attachments"
    assert read["options"]["default_acl"] == "private" and read["options"]["querystring_auth"] is True
