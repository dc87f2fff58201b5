// SPDX-License-Identifier: MIT
/** `zmqkit completions bash|zsh|fish`: shell completion scripts, made from the command tree. */
import type { Command } from "commander";
import { stdout } from "../../lib/internal.ts";
import { TYPE_NAMES } from "../cat/types.ts";
import { usage } from "../errors.ts";
import { FORMATS } from "../io/options.ts";

export const SHELLS = ["bash", "zsh", "fish"] as const;

interface Flag {
  short: string | undefined;
  long: string;
  takesValue: boolean;
  description: string;
}

interface CommandInfo {
  name: string;
  summary: string;
  flags: Flag[];
}

function describeTree(program: Command): CommandInfo[] {
  return program.commands.map((c) => ({
    name: c.name(),
    summary: c.summary() || c.description(),
    flags: c.options.map((o) => ({
      short: o.short,
      long: o.long ?? "",
      takesValue: o.required || o.optional,
      description: o.description,
    })),
  }));
}

const types = TYPE_NAMES.map((t) => t.toLowerCase());
const valuesFor: Record<string, readonly string[]> = {
  "--format": FORMATS,
  "--in": FORMATS,
  "--out": FORMATS,
};

function bash(cmds: CommandInfo[]): string {
  const cases = cmds.map((c) => {
    const words = c.flags.flatMap((f) => f.short ? [f.short, f.long] : [f.long]).join(" ");
    const args = c.name === "cat"
      ? types.join(" ")
      : c.name === "completions"
      ? SHELLS.join(" ")
      : "";
    return `    ${c.name})
      case "$prev" in
        -f|--format|--in|--out) COMPREPLY=($(compgen -W "${FORMATS.join(" ")}" -- "$cur")); return;;
      esac
      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${words} --help" -- "$cur"))
      else COMPREPLY=($(compgen -W "${args}" -- "$cur")); fi;;`;
  }).join("\n");
  return `# zmqkit bash completion: source <(zmqkit completions bash)
_zmqkit() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${cmds.map((c) => c.name).join(" ")} --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
}
complete -o default -F _zmqkit zmqkit
`;
}

const q = (s: string) => s.replace(/'/g, "'\\''").replace(/[[\]]/g, "\\$&");

function zsh(cmds: CommandInfo[]): string {
  const subs = cmds.map((c) => {
    const specs = c.flags.map((f) => {
      const vals = valuesFor[f.long];
      const arg = f.takesValue ? `:${f.long.slice(2)}:${vals ? `(${vals.join(" ")})` : ""}` : "";
      const many = f.description.includes("repeatable") || f.long === "--verbose" ? "'*'" : "";
      const names = many + (f.short ? `{${f.short},${f.long}}` : f.long);
      return `        ${names}'[${q(f.description)}]${arg}'`;
    });
    const pos = c.name === "cat"
      ? `        '1:type:(${types.join(" ")})'`
      : c.name === "completions"
      ? `        '1:shell:(${SHELLS.join(" ")})'`
      : "";
    return `    (${c.name})\n      _arguments \\\n${
      [...specs, pos].filter(Boolean).join(" \\\n")
    };;`;
  }).join("\n");
  return `#compdef zmqkit
# zmqkit zsh completion: zmqkit completions zsh > "\${fpath[1]}/_zmqkit"
_zmqkit() {
  local line state
  _arguments -C '1:command:(${cmds.map((c) => c.name).join(" ")})' '*::arg:->args'
  case $line[1] in
${subs}
  esac
}
_zmqkit "$@"
`;
}

function fish(cmds: CommandInfo[]): string {
  const lines = [
    "# zmqkit fish completion: zmqkit completions fish > ~/.config/fish/completions/zmqkit.fish",
    "complete -c zmqkit -f",
  ];
  for (const c of cmds) {
    lines.push(
      `complete -c zmqkit -n __fish_use_subcommand -a ${c.name} -d '${
        c.summary.replace(/'/g, "\\'")
      }'`,
    );
    const cond = `-n '__fish_seen_subcommand_from ${c.name}'`;
    if (c.name === "cat") lines.push(`complete -c zmqkit ${cond} -a '${types.join(" ")}'`);
    if (c.name === "completions") lines.push(`complete -c zmqkit ${cond} -a '${SHELLS.join(" ")}'`);
    for (const f of c.flags) {
      const short = f.short ? ` -s ${f.short.slice(1)}` : "";
      const vals = valuesFor[f.long];
      const value = f.takesValue ? (vals ? ` -x -a '${vals.join(" ")}'` : " -r") : "";
      lines.push(
        `complete -c zmqkit ${cond}${short} -l ${f.long.slice(2)}${value} -d '${
          f.description.replace(/'/g, "\\'")
        }'`,
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
