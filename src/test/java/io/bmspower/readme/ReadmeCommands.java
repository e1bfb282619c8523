package io.bmspower.readme;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commands a reader is told to run: every line of a {@code ```sh} block (continuation lines
 * joined, comment-only lines dropped), and every inline {@code `make ...`} mentioned in the text.
 */
final class ReadmeCommands {

  /** One command, with the README line it starts on. */
  record Command(int line, String text) {
    boolean isMake() {
      return text.equals("make") || text.startsWith("make ");
    }

    /**
     * The command as the check runs it: every {@code make} dry-run ({@code make -n}), also one
     * after {@code &&}, {@code ||} or {@code ;}, so a README line never builds or runs a target.
     */
    String dryRun() {
      return text.replaceAll("(^|&&|\\|\\||;)(\\s*)make\\b", "$1$2make -n");
    }

    @Override
    public String toString() {
      return "README.md:" + line + ": " + text;
    }
  }

  private static final Pattern INLINE_MAKE = Pattern.compile("`(make(?: [^`]*)?)`");

  private ReadmeCommands() {}

  static List<Command> parse(String markdown) {
    List<Command> commands = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    boolean inFence = false;
    boolean inShell = false;
    StringBuilder pending = null;
    int pendingLine = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("```")) {
        inShell = !inFence && line.substring(3).strip().equals("sh");
        inFence = !inFence;
        continue;
      }
      if (inShell) {
        if (pending == null && (line.isEmpty() || line.startsWith("#"))) {
          continue;
        }
        if (pending == null) {
          pending = new StringBuilder();
          pendingLine = i + 1;
        }
        boolean continues = line.endsWith("\\");
        pending.append(continues ? line.substring(0, line.length() - 1).strip() + " " : line);
        if (!continues) {
          commands.add(new Command(pendingLine, pending.toString()));
          pending = null;
        }
      } else if (!inFence) {
        Matcher inline = INLINE_MAKE.matcher(line);
        while (inline.find()) {
          commands.add(new Command(i + 1, inline.group(1)));
        }
      }
    }
    return commands;
  }
}
