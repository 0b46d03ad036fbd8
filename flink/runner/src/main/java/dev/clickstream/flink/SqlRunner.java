package dev.clickstream.flink;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * Runs the ordered Flink SQL statements of flink/ (V000001__*.sql, ...) as one streaming job.
 *
 * <p>Every statement but INSERT (SET, CREATE TABLE, CREATE VIEW) is executed at once; the
 * INSERTs are collected into one {@link StatementSet}, so all windows run in one job graph and
 * share the source readers (https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/sql/insert/#insert-statement).
 * {@code ${NAME}} in the statements is replaced by a variable: from Managed Flink's runtime
 * properties (group {@code FlinkSqlVariables}), then {@code --var NAME=VALUE} arguments. An
 * unknown variable stops the runner naming it.
 *
 * <p>Arguments: {@code [--statements DIR] [--var NAME=VALUE]... [--config KEY=VALUE]...
 * [--parent-pid PID]}; {@code --config} sets a Flink option (e.g. parallelism.default). Without {@code --statements}
 * the statements packaged in the jar are run (Amazon Managed Service for Apache Flink).
 */
public final class SqlRunner {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");
  private static final Pattern SET = Pattern.compile("(?is)SET\\s+'([^']+)'\\s*=\\s*'([^']*)'");
  private static final Pattern FILE = Pattern.compile("V\\d{6}__[A-Za-z0-9_]+\\.sql");
  /** Where Managed Flink puts the application's runtime properties (what KinesisAnalyticsRuntime reads). */
  private static final Path MANAGED_PROPERTIES = Path.of("/etc/flink/application_properties.json");

  private SqlRunner() {}

  public static void main(String[] args) throws Exception {
    Path dir = null;
    Map<String, String> config = new LinkedHashMap<>();
    Map<String, String> vars = new LinkedHashMap<>(ManagedProperties.read(MANAGED_PROPERTIES));
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--statements") && i + 1 < args.length) {
        dir = Path.of(args[++i]);
      } else if (arg.equals("--parent-pid") && i + 1 < args.length) {
        exitWithParent(Long.parseLong(args[++i]));
      } else if ((arg.equals("--var") || arg.equals("--config")) && i + 1 < args.length) {
        String pair = args[++i];
        int eq = pair.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException(arg + " takes NAME=VALUE, got " + pair);
        (arg.equals("--var") ? vars : config).put(pair.substring(0, eq), pair.substring(eq + 1));
      } else {
        throw new IllegalArgumentException(
            "usage: SqlRunner [--statements DIR] [--var NAME=VALUE]... [--config KEY=VALUE]... [--parent-pid PID] (unexpected: " + arg + ")");
      }
    }
    List<String> statements = new ArrayList<>();
    for (Map.Entry<String, String> file : (dir == null ? packaged() : fromDirectory(dir)).entrySet()) {
      for (String statement : split(file.getValue())) {
        statements.add(substitute(statement, vars, file.getKey()));
      }
    }
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    config.forEach((key, value) -> env.getConfig().set(key, value));
    StatementSet inserts = env.createStatementSet();
    int count = 0;
    for (String statement : statements) {
      Matcher set = SET.matcher(statement);
      if (set.matches()) {
        // SET is the SQL client's statement, not TableEnvironment's: applied to the table config.
        env.getConfig().set(set.group(1), set.group(2));
      } else if (statement.regionMatches(true, 0, "INSERT", 0, 6)) {
        inserts.addInsertSql(statement);
        count++;
      } else {
        env.executeSql(statement);
      }
    }
    if (count == 0) throw new IllegalStateException("no INSERT statement to run");
    TableResult result = inserts.execute();
    String jobId = result.getJobClient().map(c -> c.getJobID().toString()).orElse("unknown");
    // The launcher (local/flink/launcher.ts) waits for this line on stdout.
    System.out.println("{\"event\":\"flink-job-submitted\",\"jobId\":\"" + jobId + "\",\"inserts\":" + count + "}");
    System.out.flush();
    result.await();
  }

  /**
   * The laptop's launcher passes its pid: when that process is gone (even after SIGKILL, which
   * runs no exit hook there) the runner halts, so no local Flink outlives the stack or a test.
   */
  static void exitWithParent(long pid) {
    Thread watchdog = new Thread(() -> {
      while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
      Runtime.getRuntime().halt(3);
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /** The statement files of a directory, in version order. */
  static Map<String, String> fromDirectory(Path dir) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path file : list.filter(p -> FILE.matcher(p.getFileName().toString()).matches()).sorted().toList()) {
        files.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
      }
    }
    if (files.isEmpty()) throw new IllegalArgumentException("no V000001__name.sql files in " + dir);
    return files;
  }

  /** The statement files packaged under statements/ in the runner jar (pom.xml's resources). */
  static Map<String, String> packaged() throws IOException, URISyntaxException {
    URL url = SqlRunner.class.getClassLoader().getResource("statements");
    if (url == null) throw new IOException("the runner jar holds no statements/ folder");
    if (!url.getProtocol().equals("jar")) return fromDirectory(Path.of(url.toURI()));
    try (FileSystem jar = FileSystems.newFileSystem(url.toURI(), Map.of())) {
      return fromDirectory(jar.getPath("statements"));
    }
  }

  /** Statements end with a semicolon at the end of a line; whole-line comments are dropped. */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (line.strip().startsWith("--")) continue;
      current.append(line).append('\n');
      if (line.stripTrailing().endsWith(";")) {
        String statement = current.toString().strip();
        out.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) throw new IllegalArgumentException("a statement does not end with ';'");
    return out;
  }

  static String substitute(String statement, Map<String, String> vars, String file) {
    Matcher m = VARIABLE.matcher(statement);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = vars.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(
            file + ": variable ${" + m.group(1) + "} is not defined (pass --var " + m.group(1) + "=...)");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
