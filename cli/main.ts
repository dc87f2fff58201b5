// SPDX-License-Identifier: MIT
/**
 * zmqkit: the command line. Every failure ends as one `zmqkit: <what>` line on stderr and a
 * stable exit code (cli/errors.ts): 0 ok, 1 runtime failure, 2 usage error, 3 timeout.
 */
import { Command, CommanderError } from "commander";
import { runtimeName, runtimeVersion, VERSION } from "../lib/internal.ts";
import { argv, env, exit, exitLater, setExitCode } from "../lib/internal.ts";
import { stderr, stdout } from "../lib/internal.ts";
import { addBenchCommand } from "./commands/bench.ts";
import { addBridgeCommand } from "./commands/bridge.ts";
import { addBrokerCommand } from "./commands/broker.ts";
import { addCatCommand } from "./commands/cat.ts";
import { addCompletionsCommand } from "./commands/completions.ts";
import { addDiscoverCommand } from "./commands/discover.ts";
import { addDumpCommand } from "./commands/dump.ts";
import { addKeygenCommand } from "./commands/keygen.ts";
import { addProxyCommand } from "./commands/proxy.ts";
import { describeError, ExitCode } from "./errors.ts";

const enc = new TextEncoder();

const EXAMPLES = `
Examples:
  seq 10 | zmqkit cat push -c tcp://127.0.0.1:5555    send ten messages
  zmqkit cat pull -b 'tcp://*:5555'                   print what arrives
  zmqkit cat --help                                   formats, modes, exit codes
  zmqkit proxy queue 'tcp://*:5559' 'tcp://*:5560'    a shared queue, ROUTER/DEALER
  zmqkit broker mdp 'tcp://*:5555'                    a Majordomo broker
  zmqkit bench run                                    throughput and latency on loopback
  zmqkit keygen --cert server                         CURVE keys as certificate files
  source <(zmqkit completions bash)                   tab completion
`;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("zmqkit")
    .description(
      "ZeroMQ toolkit: sockets from the shell (pure TypeScript ZMTP 3.x, talks to libzmq)",
    )
    .version(versionLine(), "-V, --version", "print the version and the runtime, and exit")
    .configureOutput({
      writeOut: (s) => void stdout().write(enc.encode(s)),
      writeErr: (s) => void stderr().write(enc.encode(s)),
      outputError: (s, write) => {
        const line = s.replace(/^error: /, "").trimEnd();
        write(`zmqkit: ${line} (see --help)\n`);
      },
    })
    .exitOverride()
    .addHelpText("after", EXAMPLES);
  addCatCommand(program);
  addProxyCommand(program);
  addBridgeCommand(program);
  addBrokerCommand(program);
  addBenchCommand(program);
  addDumpCommand(program);
  addKeygenCommand(program);
  addDiscoverCommand(program);
  addCompletionsCommand(program);
  addHelpCommand(program);
  return program;
}

/** `zmqkit 0.1.0 (deno 2.9.6)`: what `--version` prints. */
export function versionLine(): string {
  return `zmqkit ${VERSION} (${runtimeName()} ${runtimeVersion()})`;
}

/**
 * `help [command...]`, in place of commander's own help command, which looks at one name only
 * (`help bench thr` would show bench's help): this one follows the whole path to a subcommand.
 */
function addHelpCommand(program: Command): void {
  program
    .command("help")
    .argument("[command...]", "a command, and a subcommand of it (e.g. bench thr)")
    .description("display help for a command")
    .helpOption(false)
    .action((path: string[]) => {
      let cmd: Command = program;
      for (const [i, name] of path.entries()) {
        const sub = cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (sub === undefined) {
          cmd.error(`unknown command '${path.slice(0, i + 1).join(" ")}'`, {
            code: "commander.unknownCommand",
            exitCode: ExitCode.USAGE,
          });
        }
        cmd = sub;
      }
      cmd.help();
    });
}

/** Runs the command line on the process's arguments and ends the process with its exit code. */
export async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(argv());
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version end with code 0; every parse error is a usage error
      await stdout().flush();
      exit(e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE);
    }
    const { exitCode, message } = describeError(e);
    if (message !== "") {
      await stderr().write(enc.encode(`zmqkit: ${message}\n`));
      if (env("ZMQKIT_DEBUG") && e instanceof Error && e.stack) {
        await stderr().write(enc.encode(e.stack + "\n"));
      }
    }
    await stdout().flush();
    await stderr().flush();
    exit(exitCode);
  }
  await stdout().flush();
  setExitCode(ExitCode.OK);
  // everything is closed; should a runtime handle linger, do not let it hold the shell
  exitLater(3000, ExitCode.OK);
}

// run as the program, not when a test imports buildProgram()
if (import.meta.main) await main();
