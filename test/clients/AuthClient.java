// One connection attempt per argument triple (url, user, password) with the PostgreSQL JDBC driver:
// prints "ok <value of select 7>" or "error <SQLSTATE>" per attempt, one line each.
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

public class AuthClient {
  public static void main(String[] args) {
    for (int i = 0; i + 2 < args.length; i += 3) {
      Properties props = new Properties();
      props.setProperty("user", args[i + 1]);
      props.setProperty("password", args[i + 2]);
      props.setProperty("connectTimeout", "10");
      try (Connection c = DriverManager.getConnection(args[i], props);
          Statement s = c.createStatement();
          ResultSet r = s.executeQuery("select 7")) {
        r.next();
        System.out.println("ok " + r.getInt(1));
      } catch (SQLException e) {
        System.out.println("error " + e.getSQLState());
      }
    }
  }
}
