import pytest


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Each test's attachments in a folder of its own (what is stored can be looked at, and is gone)."""
    folder = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "attachments.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def stored_files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
