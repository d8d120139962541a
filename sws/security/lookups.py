"""`__in` on integer columns leaves out the numbers the column cannot hold.

Django answers `pk=<number too big for the column>` with "no rows" (ticket #27397), but not `pk__in`: a
forged id past 2**63 in a multiple choice (communities, tags) or an admin autocomplete made SQLite raise
OverflowError, a 500 instead of the form's "select a valid choice". Registered on IntegerField (and so
every integer and auto primary key) by `SecurityConfig.ready`.
"""

from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            internal_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(internal_type)
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
