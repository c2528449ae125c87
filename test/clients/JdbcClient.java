// The PostgreSQL JDBC driver as applications and tools use it, beyond browsing: more of
// DatabaseMetaData, a server-prepared PreparedStatement with binary parameters and results,
// streaming with setFetchSize, typed getters, ResultSetMetaData, and the statements DBeaver and
// Metabase send. Prints one line per fact (fields joined by '|'); a failing step prints
// "error|<step>|<SQLSTATE>|<message>" and the next step runs.
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

public class JdbcClient {
  interface Step {
    void run() throws SQLException;
  }

  static void step(String name, Step s) {
    try {
      s.run();
    } catch (SQLException e) {
      System.out.println("error|" + name + "|" + e.getSQLState() + "|" + e.getMessage().split("\n")[0]);
    } catch (RuntimeException e) {
      System.out.println("error|" + name + "|java|" + e);
    }
  }

  static int count(ResultSet r) throws SQLException {
    int n = 0;
    while (r.next()) n++;
    r.close();
    return n;
  }

  public static void main(String[] args) throws Exception {
    // prepareThreshold=5 is the driver's default: the 5th execution of a PreparedStatement makes it a
    // named server statement, whose results then come in binary.
    try (Connection c = DriverManager.getConnection(args[0], args[1], "")) {
      DatabaseMetaData m = c.getMetaData();
      step("primary keys", () -> System.out.println("pk|" + count(m.getPrimaryKeys(null, "public", "nation"))));
      step("type info", () -> {
        TreeSet<String> seen = new TreeSet<>();
        try (ResultSet r = m.getTypeInfo()) {
          while (r.next()) {
            String name = r.getString("TYPE_NAME");
            if (Arrays.asList("int4", "int8", "numeric", "varchar", "date", "time", "timestamp", "bool", "_int4").contains(name))
              seen.add(name + ":" + r.getInt("DATA_TYPE"));
          }
        }
        System.out.println("typeinfo|" + String.join(",", seen));
      });
      step("index info", () -> System.out.println("index|" + count(m.getIndexInfo(null, "public", "nation", false, true))));
      step("exported keys", () -> System.out.println("exported|" + count(m.getExportedKeys(null, "public", "nation"))));
      step("imported keys", () -> System.out.println("imported|" + count(m.getImportedKeys(null, "public", "nation"))));
      step("table privileges", () -> {
        TreeSet<String> privileges = new TreeSet<>();
        try (ResultSet r = m.getTablePrivileges(null, "public", "nation")) {
          while (r.next()) privileges.add(r.getString("TABLE_NAME") + ":" + r.getString("PRIVILEGE"));
        }
        System.out.println("privileges|" + String.join(",", privileges));
      });
      step("functions", () -> {
        TreeSet<String> names = new TreeSet<>();
        for (String f : new String[] {"abs", "upper", "sum"}) {
          try (ResultSet r = m.getFunctions(null, "pg_catalog", f)) {
            while (r.next()) names.add(r.getString("FUNCTION_SCHEM") + "." + r.getString("FUNCTION_NAME"));
          }
        }
        System.out.println("functions|" + String.join(",", names));
      });
      step("procedures", () -> {
        // Kindling has functions and no procedures (prokind 'p'): the driver's query runs and lists none.
        int n = 0;
        for (String schema : new String[] {"public", "pg_catalog"}) {
          try (ResultSet r = m.getProcedures(null, schema, "%")) {
            while (r.next()) n++;
          }
        }
        System.out.println("procedures|" + n);
      });
      step("view columns", () -> {
        try (ResultSet r = m.getColumns(null, "public", "big", "%")) {
          while (r.next()) {
            System.out.println("viewcol|" + r.getString("COLUMN_NAME") + "|" + r.getString("TYPE_NAME") + "|"
                + r.getInt("NULLABLE"));
          }
        }
      });

      step("prepared", () -> {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT ? + 1 AS i, ? * 2 AS b, ? AS d, CAST(? AS DATE) AS day, CAST(? AS TIMESTAMP) AS ts, upper(?) AS s, ? AS a, ? AS ta, ? AS fa")) {
          for (int k = 0; k < 10; k++) {
            ps.setInt(1, k);
            ps.setLong(2, 5_000_000_000L + k);
            ps.setBigDecimal(3, new BigDecimal("12.30").add(BigDecimal.valueOf(k)));
            ps.setDate(4, Date.valueOf("2024-02-2" + k));
            ps.setTimestamp(5, Timestamp.valueOf("2024-01-02 03:04:05.25"));
            ps.setString(6, "héllo" + k);
            ps.setArray(7, c.createArrayOf("int4", new Integer[] {k, null, 3}));
            ps.setArray(8, c.createArrayOf("text", new String[] {"a b", null, "q\"" + k, ""}));
            ps.setArray(9, c.createArrayOf("float8", new Double[] {0.5 * k, -1.25}));
            try (ResultSet r = ps.executeQuery()) {
              r.next();
              Array a = r.getArray(7);
              String line = r.getInt(1) + "|" + r.getLong(2) + "|" + r.getBigDecimal(3) + "|" + r.getDate(4) + "|"
                  + r.getTimestamp(5) + "|" + r.getString(6) + "|" + Arrays.toString((Object[]) a.getArray()) + "|"
                  + Arrays.toString((Object[]) r.getArray(8).getArray()) + "|" + Arrays.toString((Object[]) r.getArray(9).getArray());
              String expected = (k + 1) + "|" + 2 * (5_000_000_000L + k) + "|" + (12 + k) + ".30|2024-02-2" + k
                  + "|2024-01-02 03:04:05.25|HÉLLO" + k + "|[" + k + ", null, 3]|[a b, null, q\"" + k + ", ]|["
                  + (0.5 * k) + ", -1.25]";
              System.out.println("prepared|" + k + "|" + (line.equals(expected) ? "ok" : line));
            }
          }
        }
      });

      // TIME columns and parameters, in text and then (server-prepared) binary results.
      step("time", () -> {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT CAST(? AS TIME) AS t, CAST('12:34:56.789' AS TIME(3)) AS u, hour(CAST(? AS TIME)) AS h")) {
          for (int k = 0; k < 7; k++) {
            ps.setTime(1, Time.valueOf("0" + k + ":30:05"));
            ps.setString(2, "1" + k + ":00:00");
            try (ResultSet r = ps.executeQuery()) {
              r.next();
              ResultSetMetaData md = r.getMetaData();
              String line = r.getTime(1) + "|" + r.getObject(2, LocalTime.class) + "|" + r.getInt(3) + "|"
                  + md.getColumnTypeName(1) + ":" + md.getColumnType(1);
              String expected = "0" + k + ":30:05|12:34:56.789|1" + k + "|time:92";
              System.out.println("time|" + k + "|" + (line.equals(expected) ? "ok" : line));
            }
          }
        }
      });

      step("inferred parameters", () -> {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT n_name FROM nation WHERE n_nationkey = ? OR n_nationkey IN (?, ?) OR n_founded = ? ORDER BY n_name LIMIT ?")) {
          ps.setObject(1, "1", java.sql.Types.OTHER);
          ps.setString(2, "2");
          ps.setInt(3, 99);
          ps.setDate(4, Date.valueOf("1950-01-01"));
          ps.setInt(5, 10);
          List<String> names = new ArrayList<>();
          try (ResultSet r = ps.executeQuery()) {
            while (r.next()) names.add(r.getString(1));
          }
          System.out.println("inferred|" + String.join(",", names));
          java.sql.ParameterMetaData pm = ps.getParameterMetaData();
          StringBuilder types = new StringBuilder();
          for (int i = 1; i <= pm.getParameterCount(); i++) types.append(i > 1 ? "," : "").append(pm.getParameterTypeName(i));
          System.out.println("paramtypes|" + types);
        }
      });

      step("fetch size", () -> {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
          st.setFetchSize(1000);
          long sum = 0;
          int rows = 0;
          try (ResultSet r = st.executeQuery("SELECT id FROM range(0, 25000)")) {
            while (r.next()) {
              sum += r.getLong(1);
              rows++;
            }
          }
          System.out.println("fetch|" + rows + "|" + sum);
        }
        c.commit();
        c.setAutoCommit(true);
      });

      step("result metadata", () -> {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT n_nationkey, n_name, n_gdp, n_gdp * 2 AS twice FROM nation WHERE n_nationkey = ?")) {
          ps.setInt(1, 1);
          try (ResultSet r = ps.executeQuery()) {
            ResultSetMetaData md = r.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
              System.out.println("meta|" + md.getColumnName(i) + "|" + md.getTableName(i) + "|" + md.isNullable(i) + "|"
                  + md.getPrecision(i) + "|" + md.getScale(i) + "|" + md.getColumnTypeName(i));
            }
            r.next();
            System.out.println("row|" + r.getInt(1) + "|" + r.getString(2) + "|" + r.getBigDecimal(3) + "|"
                + r.getBigDecimal(4));
          }
        }
      });

      for (int i = 2; i < args.length; i++) {
        String sql = args[i];
        final int n = i - 1;
        step("replay " + n, () -> {
          try (Statement st = c.createStatement()) {
            boolean rows = st.execute(sql);
            System.out.println("replay|" + n + "|" + (rows ? "rows " + count(st.getResultSet()) : "done"));
          }
        });
      }
    }
  }
}
