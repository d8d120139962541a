"""Reference lists, cached until they change: the option lists of the queue's filters (categories, a
scope's communities, stations and workers) and the default filter form built from them.

They are read on every view of the page station workers open most, and they change a few times a year,
when an admin edits a category, a community or a user. Reading them costs the queue three queries and
rendering the form a few milliseconds; from the cache, a view reads them with two lookups.

Never stale: everything is stored under the current *generation* (`key`), and saving or deleting any
tracked model (`track`) starts a new generation, again once the transaction commits, so the next view
builds the lists from committed rows. Keys name the scope (`access.scope_key`), so users share only what
each of them may see. Changes that bypass model signals (`QuerySet.update`, `bulk_create`, the demo
seeder, the divisions import) must call `changed()`.
"""

import uuid

from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from stations import access

# Its own cache alias (sws/settings.py), like the dashboards': Redis when app processes share one.
REFERENCE_CACHE = "reference"
# Bounds how long another app process with a cache of its own (no REDIS_URL) may show an old list.
TTL = 10 * 60
_GENERATION_KEY = "generation"


def _cache():
    return caches[REFERENCE_CACHE]


def _generation() -> str:
    cache = _cache()
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        cache.add(_GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(_GENERATION_KEY)
    return generation


def key(user) -> str:
    """What names `user`'s lists (and anything else built from them, such as a rendered form): the
    generation and the scope. A new generation gives every scope a new key."""
    return f"{_generation()}:{access.scope_key(user)}"


def shared_key(name: str) -> str:
    """A key for a list every user sees alike (the working-day calendar): the generation and `name`."""
    return f"{_generation()}:shared:{name}"


def lists(lists_key: str, builders: dict) -> dict:
    """{name: list} under `lists_key` (`key(user)`): `builders[name]()` builds a list, through
    `visible_to(user)`, where the cache has none. One cache lookup when all are cached."""
    keys = {name: f"{lists_key}:{name}" for name in builders}
    found = _cache().get_many(keys.values())
    built = {keys[name]: build() for name, build in builders.items() if keys[name] not in found}
    if built:
        _cache().set_many(built, TTL)
    return {name: found[k] if k in found else built[k] for name, k in keys.items()}


def _new_generation():
    _cache().set(_GENERATION_KEY, uuid.uuid4().hex, None)


def changed():
    """Every cached list is built again on its next use: at once (for the rest of this transaction) and
    again when it commits (a list built meanwhile by another request read the rows before the commit)."""
    _new_generation()
    transaction.on_commit(_new_generation)


# What a login writes: last_login, and the scope fields User.save() always writes again (unchanged).
_LOGIN_FIELDS = {"last_login", "station", "district", "district_scope", "community"}


def _saved_or_deleted(sender, update_fields=None, **kwargs):
    if update_fields is not None and "last_login" in update_fields and set(update_fields) <= _LOGIN_FIELDS:
        return  # a login: no list shows it
    changed()


def track(*models):
    """Lists are built from these models: any save or delete of one starts a new generation."""
    for model in models:
        uid = f"stations.reference:{model._meta.label}"
        post_save.connect(_saved_or_deleted, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(_saved_or_deleted, sender=model, dispatch_uid=uid, weak=False)
