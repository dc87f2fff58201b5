// SPDX-License-Identifier: MIT
/**
 * `zmqkit completions bash|zsh|fish`: shell completion scripts, made from the whole command
 * tree (subcommands of subcommands too), so a flag added to a command is completed with no
 * change here. Positional values (socket types, proxy and broker kinds, shells) come from
 * {@linkcode POSITIONALS}; an option's values from its commander `choices`, or the formats.
 */
import type { Command } from "commander";
import { stdout } from "../../lib/internal.ts";
import { TYPE_NAMES } from "../cat/types.ts";
import { usage } from "../errors.ts";
import { FORMATS } from "../io/options.ts";

export const SHELLS = ["bash", "zsh", "fish"] as const;

interface Flag {
  short: string | undefined;
  long: string;
  /** Values the option takes, when they are a known list. */
  values: readonly string[] | undefined;
  takesValue: boolean;
  description: string;
}

/** One command of the tree; `path` is its words after `zmqkit` ("" for the program). */
export interface CommandInfo {
  path: string;
  name: string;
  summary: string;
  flags: Flag[];
  subcommands: string[];
  positionals: readonly string[];
}

/** Positional values by command path: what `zmqkit <path> <TAB>` offers besides subcommands. */
const POSITIONALS: Record<string, readonly string[]> = {
  cat: TYPE_NAMES.map((t) => t.toLowerCase()),
  proxy: ["queue", "forwarder", "streamer"],
  broker: ["lb", "mdp"],
  completions: SHELLS,
  "bench run": ["thr", "lat", "all"],
};

/** Options whose value is a format name. */
const FORMAT_FLAGS = new Set(["--format", "--in", "--out"]);

/** Every command of the tree, the program first, parents before their subcommands. */
export function describeTree(program: Command): CommandInfo[] {
  const out: CommandInfo[] = [];
  const visit = (c: Command, path: string) => {
    const subs = c.commands.filter((s) => s.name() !== "help");
    out.push({
      path,
      name: c.name(),
      summary: c.summary() || c.description(),
      flags: c.options.filter((o) => o.long !== undefined).map((o) => ({
        short: o.short,
        long: o.long!,
        values: o.argChoices ?? (FORMAT_FLAGS.has(o.long!) ? FORMATS : undefined),
        takesValue: o.required || o.optional,
        description: o.description,
      })),
      subcommands: path === "" ? [...subs.map((s) => s.name()), "help"] : subs.map((s) => s.name()),
      positionals: path === "help"
        ? program.commands.map((s) => s.name()).filter((n) => n !== "help")
        : POSITIONALS[path] ?? [],
    });
    for (const s of subs) visit(s, path === "" ? s.name() : `${path} ${s.name()}`);
  };
  visit(program, "");
  // `zmqkit help <command>`: the program's own help command is made by commander
  if (!out.some((c) => c.path === "help")) {
    out.push({
      path: "help",
      name: "help",
      summary: "show help for a command",
      flags: [],
      subcommands: [],
      positionals: program.commands.map((s) => s.name()).filter((n) => n !== "help"),
    });
  }
  return out;
}

const flagWords = (c: CommandInfo) => [
  ...c.flags.flatMap((f) => f.short ? [f.short, f.long] : [f.long]),
  "--help",
  ...(c.path === "" ? ["--version"] : []),
];

/** A shell `case` over the command path: `"bench run") echo …;;` for each command. */
function cases(cmds: CommandInfo[], words: (c: CommandInfo) => readonly string[]): string {
  return cmds.map((c) => `    "${c.path}") echo "${words(c).join(" ")}";;`).join("\n");
}

/** The values of each option that has a list of them, as `case` arms on the option word. */
function valueCases(cmds: CommandInfo[]): string {
  const arms = new Map<string, string>();
  for (const c of cmds) {
    for (const f of c.flags) {
      if (!f.values) continue;
      for (const w of f.short ? [f.short, f.long] : [f.long]) {
        arms.set(`"${c.path}:${w}"`, f.values.join(" "));
      }
    }
  }
  return [...arms].map(([k, v]) => `    ${k}) echo "${v}";;`).join("\n");
}

/**
 * The part bash and zsh share: functions answering, for a command path, its subcommands, its
 * flags and its positional values, and for a path and an option word, the option's values.
 */
function lookups(cmds: CommandInfo[]): string {
  return `_zmqkit_subs() {
  case "$1" in
${cases(cmds, (c) => c.subcommands)}
  esac
}
_zmqkit_flags() {
  case "$1" in
${cases(cmds, flagWords)}
  esac
}
_zmqkit_args() {
  case "$1" in
${cases(cmds, (c) => c.positionals)}
  esac
}
_zmqkit_values() {
  case "$1:$2" in
${valueCases(cmds)}
  esac
}`;
}

function bash(cmds: CommandInfo[]): string {
  return `# zmqkit bash completion: source <(zmqkit completions bash)
${lookups(cmds)}
_zmqkit() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmdpath="" w s i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    for s in $(_zmqkit_subs "$cmdpath"); do
      if [[ "$w" == "$s" ]]; then cmdpath="\${cmdpath:+$cmdpath }$w"; break; fi
    done
  done
  local values
  values="$(_zmqkit_values "$cmdpath" "$prev")"
  if [[ -n "$values" ]]; then
    COMPREPLY=($(compgen -W "$values" -- "$cur"))
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_zmqkit_flags "$cmdpath")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_zmqkit_subs "$cmdpath") $(_zmqkit_args "$cmdpath")" -- "$cur"))
  fi
}
complete -o default -F _zmqkit zmqkit
`;
}

function zsh(cmds: CommandInfo[]): string {
  return `#compdef zmqkit
# zmqkit zsh completion: zmqkit completions zsh > "\${fpath[1]}/_zmqkit"
${lookups(cmds)}
_zmqkit() {
  # (not \`path\`: in zsh that is PATH as an array)
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" cmdpath="" w s i subs values more
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    [[ "$w" == -* ]] && continue
    subs="$(_zmqkit_subs "$cmdpath")"
    for s in \${=subs}; do
      if [[ "$w" == "$s" ]]; then cmdpath="\${cmdpath:+$cmdpath }$w"; break; fi
    done
  done
  values="$(_zmqkit_values "$cmdpath" "$prev")"
  if [[ -n "$values" ]]; then
    compadd -- \${=values}
  elif [[ "$cur" == -* ]]; then
    more="$(_zmqkit_flags "$cmdpath")"
    compadd -- \${=more}
  else
    more="$(_zmqkit_subs "$cmdpath") $(_zmqkit_args "$cmdpath")"
    if [[ -n "\${more// /}" ]]; then compadd -- \${=more}; else _files; fi
  fi
}
if [[ "\${zsh_eval_context[-1]}" == loadautoload ]]; then _zmqkit "$@"; else compdef _zmqkit zmqkit; fi
`;
}

const fishQuote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

function fish(cmds: CommandInfo[]): string {
  const lines = [
    "# zmqkit fish completion: zmqkit completions fish > ~/.config/fish/completions/zmqkit.fish",
    "complete -c zmqkit -f",
  ];
  const byPath = new Map(cmds.map((c) => [c.path, c]));
  /** True in fish when the command line has reached exactly `path` (no deeper subcommand). */
  const at = (path: string): string => {
    const words = path === "" ? [] : path.split(" ");
    const parts = words.map((w) => `__fish_seen_subcommand_from ${w}`);
    const subs = byPath.get(path)?.subcommands ?? [];
    if (path === "") parts.push("__fish_use_subcommand");
    else if (subs.length > 0) parts.push(`not __fish_seen_subcommand_from ${subs.join(" ")}`);
    return fishQuote(parts.join("; and "));
  };
  for (const c of cmds) {
    const cond = `-n ${at(c.path)}`;
    for (const s of c.subcommands) {
      const sub = byPath.get(c.path === "" ? s : `${c.path} ${s}`);
      lines.push(`complete -c zmqkit ${cond} -a ${s} -d ${fishQuote(sub?.summary ?? "")}`);
    }
    if (c.positionals.length > 0) {
      lines.push(`complete -c zmqkit ${cond} -a ${fishQuote(c.positionals.join(" "))}`);
    }
    for (const f of c.flags) {
      const short = f.short ? ` -s ${f.short.slice(1)}` : "";
      const value = f.takesValue
        ? (f.values ? ` -x -a ${fishQuote(f.values.join(" "))}` : " -r")
        : "";
      lines.push(
        `complete -c zmqkit ${cond}${short} -l ${f.long.slice(2)}${value} -d ${
          fishQuote(f.description)
        }`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

export function completionScript(program: Command, shell: string): string {
  const cmds = describeTree(program);
  switch (shell) {
    case "bash":
      return bash(cmds);
    case "zsh":
      return zsh(cmds);
    case "fish":
      return fish(cmds);
    default:
      throw usage(`unknown shell "${shell}" (one of ${SHELLS.join(", ")})`);
  }
}

export function addCompletionsCommand(program: Command): void {
  program
    .command("completions")
    .summary("print a shell completion script (bash, zsh, fish)")
    .argument("<shell>", SHELLS.join(" | "))
    .addHelpText(
      "after",
      `
Examples:
  source <(zmqkit completions bash)                       bash, this shell
  zmqkit completions zsh > "\${fpath[1]}/_zmqkit"           zsh
  zmqkit completions fish > ~/.config/fish/completions/zmqkit.fish
`,
    )
    .action(async (shell: string) => {
      await stdout().write(new TextEncoder().encode(completionScript(program, shell)));
    });
}
