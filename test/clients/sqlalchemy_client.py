"""SQLAlchemy 1.4 reflection with the postgresql+psycopg2 dialect against a server holding the
tables of pg-drivers.test.ts (nation, copied, the view rich): the inspector's schema, table, view,
column, key, index and constraint listings, a table autoloaded into MetaData, and Core selects with
bound parameters. Prints one line per check."""
import sys

from sqlalchemy import MetaData, Table, create_engine, func, inspect, select, text

engine = create_engine(sys.argv[1])
insp = inspect(engine)
# Read by the dialect from `select pg_catalog.version()` when it connects.
print("server_version_info", engine.dialect.server_version_info >= (9, 2))
print("default schema", insp.default_schema_name)
print("schemas", insp.get_schema_names())
print("tables", insp.get_table_names())
print("views", insp.get_view_names())
print(
    "columns",
    [(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in insp.get_columns("nation")],
)
print("view columns", [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns("rich")])
print("pk", insp.get_pk_constraint("nation"))
print("fks", insp.get_foreign_keys("nation"))
print("indexes", insp.get_indexes("nation"))
print("uniques", insp.get_unique_constraints("nation"))
print("checks", insp.get_check_constraints("nation"))
print("comment", insp.get_table_comment("nation"))
print("has_table", engine.dialect.has_table(engine.connect(), "nation"), insp.has_table("missing"))

nation = Table("nation", MetaData(), autoload_with=engine)
print("autoload", [(c.name, str(c.type), c.nullable) for c in nation.columns])
with engine.connect() as conn:
    rows = conn.execute(
        select(nation.c.n_nationkey, nation.c.n_name, nation.c.n_total)
        .where(nation.c.n_total > 200)
        .where(nation.c.n_name.like("%A%"))
        .order_by(nation.c.n_nationkey)
    ).fetchall()
    print("select", rows)
    print("count", conn.execute(select(func.count()).select_from(nation)).scalar())
    rows = conn.execute(
        select(nation.c.n_name).where(nation.c.n_nationkey.in_([1, 3])).order_by(nation.c.n_name)
    ).fetchall()
    print("in", rows)
    print(
        "text",
        conn.execute(text("SELECT n_since FROM nation WHERE n_nationkey = :k"), {"k": 2}).scalar(),
    )
