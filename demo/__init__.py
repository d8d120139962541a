"""The demo city: the report's Tianjin, its stations, residents' requests and the stations' service work.

`manage.py seed_demo` runs the seeders in the order the arrows point (`demo.stations`, `demo.residents`
with `demo.stories` and `demo.bulk`, then `demo.projects`). The arrows: demo → projects → residents →
stations; no product app imports `demo`.
"""
