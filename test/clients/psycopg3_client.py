"""psycopg 3 against a server holding the `nation` table of pg-drivers.test.ts: parameters of many
types as text and binary, results as text and binary, prepared statements, server-side named
cursors, COPY both ways, executemany (pipelined: several Bind/Execute before one Sync) and
transactions. Prints one line per check; values are printed with repr so that a change of type or
scale shows."""
import datetime
import sys
from decimal import Decimal

import psycopg
from psycopg import errors

conn = psycopg.connect(sys.argv[1])
print("server_version", conn.info.server_version >= 100000)

VALUES = (
    42,
    -1099511627776,
    1.5,
    Decimal("12.340"),
    Decimal("-123456789012345678901234.5"),
    "it's \u00e9\t\\",
    datetime.date(2024, 2, 29),
    datetime.datetime(2024, 1, 2, 3, 4, 5, 123456),
    datetime.datetime(2024, 7, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
    True,
    None,
    [1, 2, None],
    ["a", 'b "c"', None],
    [Decimal("1.50"), Decimal("-22.25"), None],
)
# Python strings are sent untyped, so a list of them as text is text unless cast, as in PostgreSQL.
CASTS = {"texts": "::text[]"}
NAMES = "i big f dec huge s d ts tstz b n ints texts decs".split()


def select(placeholder):
    return "SELECT " + ", ".join(f"{placeholder}{CASTS.get(n, '')} AS {n}" for n in NAMES)


def check(label, row):
    same = tuple(row) == VALUES and all(type(a) is type(b) for a, b in zip(row, VALUES))
    print(label, "same" if same else repr(row))


# Text parameters, then binary ones (%b); each with text and binary results.
for placeholder in ("%s", "%b"):
    for binary in (False, True):
        with conn.cursor(binary=binary) as cur:
            cur.execute(select(placeholder), VALUES)
            row = cur.fetchone()
            params = "text" if placeholder == "%s" else "binary"
            check(f"params {params} results {'binary' if binary else 'text'}", row)
conn.rollback()

with conn.cursor() as cur:
    cur.execute(select("%s"), VALUES)
    print("types", [d.type_code for d in cur.description])

# A statement executed with prepare=True runs as a named statement (_pg3_n).
with conn.cursor() as cur:
    names = []
    for key in (1, 2, 3):
        cur.execute("SELECT n_name, n_total FROM nation WHERE n_nationkey = %s", (key,), prepare=True)
        names.append(cur.fetchone())
    print("prepared", names)
    cur.execute(
        "SELECT n_nationkey FROM nation WHERE n_total > %s AND n_since >= %s ORDER BY 1",
        (Decimal("100.5"), datetime.date(2000, 1, 1)),
    )
    print("filtered", [r[0] for r in cur.fetchall()])
conn.commit()

# Server-side cursors: DECLARE, Describe of the cursor's portal, FETCH FORWARD itersize.
for binary in (False, True):
    with conn.cursor(name="big", binary=binary) as cur:
        cur.itersize = 7
        cur.execute(
            "SELECT id, id * 2 AS twice, CAST(id AS DECIMAL(10,2)) AS d FROM range(0, 50) WHERE id >= %s ORDER BY id",
            (3,),
        )
        first = cur.fetchone()
        many = cur.fetchmany(3)
        rest = list(cur)
        print(
            "named cursor",
            "binary" if binary else "text",
            first,
            [r[0] for r in many],
            len(rest),
            rest[-1],
            [d.name for d in cur.description],
        )
    conn.commit()

# COPY FROM STDIN rows (with NULLs and characters the text format escapes), then COPY TO STDOUT.
ROWS = [
    (1, "plain", Decimal("1.50"), datetime.date(2020, 5, 1)),
    (2, "tab\there\nnewline \\ back", None, datetime.date(1999, 12, 31)),
    (3, None, Decimal("-0.01"), None),
]
with conn.cursor() as cur:
    with cur.copy("COPY copied FROM STDIN") as copy:
        for r in ROWS:
            copy.write_row(r)
    print("copy in", cur.rowcount)
    conn.commit()
    with cur.copy("COPY (SELECT a, b, c, d FROM copied ORDER BY a) TO STDOUT") as copy:
        copy.set_types(["int4", "text", "numeric", "date"])
        back = list(copy.rows())
    print("copy out", "same" if back == ROWS else repr(back))
    with cur.copy("COPY copied (b, a) TO STDOUT") as copy:
        lines = sorted(bytes(data).decode() for data in copy)
    print("copy out lines", lines)
conn.commit()

# executemany: psycopg pipelines the statements (Bind/Execute for each row before one Sync).
with conn.cursor() as cur:
    rows = [(10 + i, f"m{i}", Decimal(f"{i}.25"), datetime.date(2021, 1, 1 + i)) for i in range(5)]
    cur.executemany("INSERT INTO copied VALUES (%s, %s, %s, %s)", rows)
    conn.commit()
    cur.execute("SELECT a, b, c, d FROM copied WHERE a >= 10 ORDER BY a")
    print("executemany", "same" if cur.fetchall() == rows else "differs")
    cur.executemany("SELECT a FROM copied WHERE a = %s", [(10,), (11,)], returning=True)
    got = []
    while True:
        got.append(cur.fetchone())
        if not cur.nextset():
            break
    print("executemany returning", got)
conn.commit()

# Transactions: an error aborts the transaction (25P02 until ROLLBACK); the connection goes on.
with conn.cursor() as cur:
    try:
        cur.execute("SELECT 1 / 0")
    except errors.DivisionByZero as e:
        print("error", e.sqlstate)
    try:
        cur.execute("SELECT 1")
    except errors.InFailedSqlTransaction as e:
        print("aborted", e.sqlstate, conn.info.transaction_status.name)
    conn.rollback()
    print("after rollback", conn.info.transaction_status.name)
    cur.execute("SELECT %s + 1", (41,))
    print("usable", cur.fetchone()[0], conn.info.transaction_status.name)
    conn.rollback()
    try:
        cur.execute("SELECT * FROM no_such_table")
    except errors.UndefinedTable as e:
        print("undefined table", e.sqlstate)
    conn.rollback()
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT count(*) FROM copied")
    print("autocommit", cur.fetchone()[0], conn.info.transaction_status.name)
conn.close()
