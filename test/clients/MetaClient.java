// DatabaseMetaData through the PostgreSQL JDBC driver, as DBeaver and other tools browse a server:
// prints one line per schema, table and column (fields joined by '|'), then the first row of a few
// utility statements, or "error <SQLSTATE> <message>".
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

public class MetaClient {
  public static void main(String[] args) {
    try (Connection c = DriverManager.getConnection(args[0], args[1], "")) {
      DatabaseMetaData m = c.getMetaData();
      try (ResultSet r = m.getSchemas()) {
        while (r.next()) System.out.println("schema|" + r.getString("TABLE_SCHEM"));
      }
      try (ResultSet r = m.getTables(null, "public", "%", new String[] {"TABLE", "VIEW"})) {
        while (r.next()) {
          System.out.println("table|" + r.getString("TABLE_SCHEM") + "|" + r.getString("TABLE_NAME") + "|"
              + r.getString("TABLE_TYPE") + "|" + r.getString("REMARKS"));
        }
      }
      try (ResultSet r = m.getColumns(null, "public", "nation", "%")) {
        while (r.next()) {
          System.out.println("column|" + r.getString("COLUMN_NAME") + "|" + r.getInt("DATA_TYPE") + "|"
              + r.getString("TYPE_NAME") + "|" + r.getInt("COLUMN_SIZE") + "|" + r.getInt("DECIMAL_DIGITS") + "|"
              + r.getInt("NULLABLE") + "|" + r.getInt("ORDINAL_POSITION"));
        }
      }
      // Utility statements over the extended protocol: Describe must announce their rows.
      try (java.sql.Statement st = c.createStatement()) {
        for (String sql : new String[] {"SHOW search_path", "EXPLAIN SELECT 1", "SET spark.sql.ansi.enabled"}) {
          try (ResultSet r = st.executeQuery(sql)) {
            r.next();
            System.out.println("show|" + r.getMetaData().getColumnName(1) + "|" + r.getString(1));
          }
        }
      }
    } catch (SQLException e) {
      System.out.println("error " + e.getSQLState() + " " + e.getMessage());
    }
  }
}
