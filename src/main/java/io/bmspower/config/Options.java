package io.bmspower.config;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one command-line and environment parser of the jar: each option is a flag ({@code --name
 * value} or {@code --name=value}) or an environment variable ({@code PREFIX_NAME}); flags win.
 * Every bad value is reported, not just the first.
 *
 * @param <T> the settings object the options write into
 */
public final class Options<T> {

  /** Sets one option's value; throws with a short hint when the value is not acceptable. */
  @FunctionalInterface
  public interface Setter<T> {
    void set(T target, String value) throws Exception;
  }

  private record Option<T>(String name, String arg, String help, Setter<T> set) {}

  private final String envPrefix;
  private final Map<String, Option<T>> options = new LinkedHashMap<>();

  public Options(String envPrefix) {
    this.envPrefix = envPrefix;
  }

  public Options<T> add(String name, String arg, String help, Setter<T> set) {
    options.put(name, new Option<>(name, arg, help, set));
    return this;
  }

  public String envName(String option) {
    return envPrefix + option.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** Applies env, then flags, to {@code target}; returns the problems found (empty when none). */
  public List<String> parse(T target, String[] args, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    for (Option<T> option : options.values()) {
      String value = env.get(envName(option.name()));
      if (value != null && !value.isBlank()) {
        apply(target, option, value.trim(), envName(option.name()), problems);
      }
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        problems.add("unexpected argument '" + arg + "'");
        continue;
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Option<T> option = options.get(name);
      if (option == null) {
        problems.add("unknown option --" + name);
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          problems.add("--" + name + " needs a value (" + option.arg() + ")");
          continue;
        }
        value = args[++i];
      }
      apply(target, option, value, "--" + name, problems);
    }
    return problems;
  }

  public void usage(PrintStream out) {
    for (Option<T> o : options.values()) {
      out.printf(
          "  --%-40s %s%n  %-42s env %s%n",
          o.name() + " " + o.arg(), o.help(), "", envName(o.name()));
    }
  }

  private void apply(
      T target, Option<T> option, String value, String source, List<String> problems) {
    try {
      option.set().set(target, value);
    } catch (NumberFormatException e) {
      problems.add(
          source + ": invalid value '" + value + "' (expected " + option.arg() + ": a number)");
    } catch (Exception e) {
      String hint =
          e.getMessage() == null || e.getMessage().equals(value) ? "" : ": " + e.getMessage();
      problems.add(
          source + ": invalid value '" + value + "' (expected " + option.arg() + hint + ")");
    }
  }

  // ---- value parsers -------------------------------------------------------------------------

  public static boolean bool(String v) {
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new IllegalArgumentException("true or false");
  }

  public static int positive(String v) {
    int n = Integer.parseInt(v);
    if (n < 1) {
      throw new IllegalArgumentException("must be at least 1");
    }
    return n;
  }

  /** 500ms, 5s, 2m, 1h, or ISO-8601 (PT5S); never negative. */
  public static Duration duration(String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    Duration d;
    try {
      if (s.startsWith("pt")) {
        d = Duration.parse(v.trim());
      } else if (s.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      } else {
        long n = Long.parseLong(s.substring(0, s.length() - 1));
        d =
            switch (s.charAt(s.length() - 1)) {
              case 's' -> Duration.ofSeconds(n);
              case 'm' -> Duration.ofMinutes(n);
              case 'h' -> Duration.ofHours(n);
              default -> throw new IllegalArgumentException();
            };
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("a duration like 500ms, 5s, 2m or 1h");
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("must not be negative");
    }
    return d;
  }
}
