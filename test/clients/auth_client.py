"""One connection attempt per argument pair (libpq conninfo, password) with psycopg2: prints
"ok <value of select 7>" or "error <SQLSTATE or message>" per attempt, one line each."""
import sys

import psycopg2

args = sys.argv[1:]
for i in range(0, len(args) - 1, 2):
    try:
        conn = psycopg2.connect(args[i], password=args[i + 1], connect_timeout=10)
        try:
            cur = conn.cursor()
            cur.execute("select 7")
            print("ok", cur.fetchone()[0])
        finally:
            conn.close()
    except psycopg2.Error as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else ""
        print("error", e.pgcode or message)
