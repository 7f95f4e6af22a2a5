import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A small application on HikariCP, run twice at once: with the pool dbcache generated
 * (DatabasePool.create()) and with HikariCP's defaults (the control). Each side runs bursts of
 * concurrent queries, then idles past the server's wait_timeout, several times. It prints one
 * JSON line: the errors each side saw.
 *
 * Usage: java App CONTROL_JDBC_URL CONTROL_USER GAPS GAP_SECONDS CONCURRENCY
 */
public final class App {
    private App() {}

    static List<String> scenario(HikariDataSource pool, int gaps, long gapMillis, int concurrency)
            throws InterruptedException {
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        Runnable burst = () -> {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                Thread thread = new Thread(() -> {
                    try (Connection connection = pool.getConnection();
                            Statement statement = connection.createStatement();
                            ResultSet rows = statement.executeQuery("SELECT SLEEP(0.3)")) {
                        rows.next();
                    } catch (Exception error) {
                        errors.add(error.toString().replace('"', '\''));
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                try {
                    thread.join();
                } catch (InterruptedException error) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        burst.run();
        for (int i = 0; i < gaps; i++) {
            Thread.sleep(gapMillis);
            burst.run();
        }
        pool.close();
        return errors;
    }

    static String json(List<String> errors) {
        StringBuilder out = new StringBuilder("{\"errors\":[");
        for (int i = 0; i < errors.size(); i++) {
            out.append(i == 0 ? "" : ",").append('"').append(errors.get(i)).append('"');
        }
        return out.append("]}").toString();
    }

    public static void main(String[] args) throws Exception {
        int gaps = Integer.parseInt(args[2]);
        long gapMillis = (long) (Double.parseDouble(args[3]) * 1000);
        int concurrency = Integer.parseInt(args[4]);
        HikariConfig defaults = new HikariConfig();
        defaults.setJdbcUrl(args[0]);
        defaults.setUsername(args[1]);
        defaults.setPassword(System.getenv("DB_PASSWORD"));
        HikariDataSource generated = DatabasePool.create();
        HikariDataSource control = new HikariDataSource(defaults);
        List<List<String>> results = Collections.synchronizedList(new ArrayList<>(List.of(List.of(), List.of())));
        Thread other = new Thread(() -> {
            try {
                results.set(1, scenario(control, gaps, gapMillis, concurrency));
            } catch (InterruptedException error) {
                Thread.currentThread().interrupt();
            }
        });
        other.start();
        results.set(0, scenario(generated, gaps, gapMillis, concurrency));
        other.join();
        System.out.println("{\"generated\":" + json(results.get(0)) + ",\"control\":" + json(results.get(1)) + "}");
    }
}
