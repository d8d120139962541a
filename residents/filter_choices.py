"""Choices of the list filters: people, categories and other listed values as (pk, label) pairs, and a choice
filter whose choices are such a list (no query per option)."""

from django_filters import fields as filter_fields

from residents.fields import BoundedFilterModelChoiceField, BoundedModelChoiceFilter


def names(queryset) -> list:
    """(pk, label) of stations and communities: their name, as their __str__."""
    return list(queryset.values_list("pk", "name"))


def user_names(queryset) -> list:
    """(pk, label) of users: the name, else the username, as User.__str__."""
    return [(pk, name or username) for pk, name, username in queryset.values_list("pk", "name", "username")]


def category_names(queryset) -> list:
    """(pk, label) of categories: 上级 › 名称 for a second-level one, as Category.__str__."""
    return [
        (pk, f"{parent} › {name}" if parent is not None else name)
        for pk, name, parent in queryset.values_list("pk", "name", "parent__name")
    ]


class _ListedChoices(filter_fields.ModelChoiceIterator):
    """The choices as (pk, label) pairs from one plain `values_list` query, read once per form: no model
    objects, and not Django's `QuerySet.iterator()` (a server-side cursor on PostgreSQL: several round
    trips for a dozen rows). A submitted value is still looked up in the field's queryset."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self.field.listed()

    def __len__(self):
        return (
            len(self.field.listed())
            + (self.field.empty_label is not None)
            + (self.field.null_label is not None)
        )


class _ListedChoiceField(BoundedFilterModelChoiceField):
    iterator = _ListedChoices

    def __init__(self, *args, listing, **kwargs):
        self.listing = listing  # queryset → [(pk, label)], the labels as the model's __str__ writes them
        self._listed = None
        super().__init__(*args, **kwargs)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result._listed = None  # each form reads its own (scoped) queryset
        return result

    def listed(self) -> list:
        if self._listed is None:
            self._listed = self.listing(self.queryset)
        return self._listed


class ListedModelChoiceFilter(BoundedModelChoiceFilter):
    field_class = _ListedChoiceField
