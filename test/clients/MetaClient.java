// DatabaseMetaData through the PostgreSQL JDBC driver, as DBeaver and other tools browse a server:
// prints one line per schema, table and column (fields joined by '|'), or "error <SQLSTATE> <message>".
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
    } catch (SQLException e) {
      System.out.println("error " + e.getSQLState() + " " + e.getMessage());
    }
  }
}
