"""Query expressions of the residents' models (`InResidents`, used by `RequestQuerySet.search`)."""

from django.db.models import F, Lookup, Subquery


class InResidents(Lookup):
    """`request.resident_id IN (residents)`, as one condition of the search's OR.

    On PostgreSQL it is written `resident_id = ANY(ARRAY(SELECT …))`: the residents are read once (an
    InitPlan) and their ids drive an index scan on the requests' `resident` index, which PostgreSQL can
    OR with the trigram and tail indexes of the other conditions (a BitmapOr). An `IN (SELECT …)` there
    is a filter on every row of the scope instead: at a million requests a city user's search by name
    read the whole table (1.2 s; docs/performance.md, "The queue's search")."""

    lookup_name = "in_residents"  # used as an expression, never registered on a field
    prepare_rhs = False

    def __init__(self, residents, *, indexed=True):
        # `indexed=False` when the other conditions cannot use an index either (a term too short for
        # trigrams): the rows are read anyway, and an array is searched linearly for every row, where
        # `IN (SELECT …)` is a hash lookup (a city-wide search for 桂芝, thousands of residents: 73 s → 3 s).
        self.indexed = indexed
        super().__init__(F("resident"), Subquery(residents.order_by().values("pk")))

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        if connection.vendor == "postgresql" and self.indexed:
            return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)
