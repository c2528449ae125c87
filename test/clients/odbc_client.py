"""psqlODBC through unixODBC and pyodbc against a server holding the tables of pg-drivers.test.ts
(data source `kindling`, from the odbc.ini the test writes): the driver's catalog calls (SQLTables,
SQLColumns, SQLPrimaryKeys, SQLForeignKeys, SQLStatistics), parameterized queries (psqlODBC parses
them as named `_PLAN0x…` statements), fetched values of each type, and an error inside a
transaction. Prints one line per check."""
import datetime
import sys
from decimal import Decimal

import pyodbc

conn = pyodbc.connect(f"DSN={sys.argv[1]};UID=alice")
print("dbms", conn.getinfo(pyodbc.SQL_DBMS_NAME))
cur = conn.cursor()

print("tables", [(r.table_schem, r.table_name, r.table_type) for r in cur.tables(schema="public")])
print("views", [r.table_name for r in cur.tables(tableType="VIEW")])
print(
    "columns",
    [
        (r.column_name, r.type_name, r.data_type, r.column_size, r.decimal_digits, r.nullable)
        for r in cur.columns(table="nation")
    ],
)
print("primary keys", cur.primaryKeys("nation").fetchall())
print("foreign keys", cur.foreignKeys("nation").fetchall())
print("statistics", cur.statistics("nation").fetchall())

rows = cur.execute(
    "SELECT n_nationkey, n_name, n_total, n_since FROM nation WHERE n_nationkey >= ? AND n_total > ? ORDER BY 1",
    2,
    Decimal("100.5"),
).fetchall()
print("parameters", [tuple(r) for r in rows])
print(
    "types",
    [type(v).__name__ for v in rows[0]],
    [(d[0], d[1].__name__, d[4], d[5]) for d in cur.description],
)
rows = cur.execute(
    "SELECT n_name FROM nation WHERE n_name = ? OR n_since = ? ORDER BY 1", "BRAZIL", datetime.date(1999, 1, 1)
).fetchall()
print("string and date parameters", [r[0] for r in rows])
# The same statement again and again: psqlODBC keeps its plan.
print(
    "repeated",
    [cur.execute("SELECT n_name FROM nation WHERE n_nationkey = ?", k).fetchone()[0] for k in (1, 2, 1, 2, 3)],
)
print(
    "expressions",
    tuple(cur.execute("SELECT CAST(? AS BIGINT) * 2, CAST(? AS DECIMAL(10,3)), ? || 'b'", 21, "1.25", "a").fetchone()),
)

# An error inside a transaction (autocommit is off): the statement fails, the connection goes on.
try:
    cur.execute("SELECT * FROM no_such_table")
except pyodbc.ProgrammingError as e:
    print("error", e.args[0])
conn.rollback()
print("after rollback", cur.execute("SELECT count(*) FROM nation").fetchone()[0])
conn.close()
