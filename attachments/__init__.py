"""Attachments (附件): files kept for a case, an activity, a fund entry or a project.

One small component: a file is checked by its content (`validation`), stored privately (`storage`: the
"attachments" storage, never served by URL), recorded as an `Attachment` hanging off its owner
(`services.attach_file`), read only through the scoped download view, which logs every download. An
owner model says who may read and attach (`registry.register`). Imports stations and Django only.
"""
