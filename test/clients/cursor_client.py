"""psycopg2's named (server-side) cursors against a server: DECLARE … CURSOR, FETCH FORWARD n,
MOVE through scroll(), CLOSE; prints one line per step."""
import sys

import psycopg2

conn = psycopg2.connect(sys.argv[1])
cur = conn.cursor(name="big")
cur.itersize = 1000
cur.execute("SELECT id, id * 2 AS twice FROM range(0, 2500) ORDER BY id")
print("first", cur.fetchone())
print("many", len(cur.fetchmany(10)))
cur.scroll(100)
print("after move", cur.fetchone())
rest = sum(1 for _ in cur)
print("rest", rest)
cur.close()
conn.commit()
# A WITH HOLD cursor outlives its transaction.
held = conn.cursor(name="held", withhold=True)
held.execute("SELECT 'x' AS v")
conn.commit()
print("held", held.fetchall())
held.close()
conn.close()
