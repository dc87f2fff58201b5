// SPDX-License-Identifier: MIT
/** zmqkit: the command line. Subcommands arrive with their issues (cat, bench, dump, proxy). */
import { Command } from "commander";
import { VERSION } from "../lib/version.ts";

const program = new Command();
program
  .name("zmqkit")
  .description(
    "ZeroMQ toolkit: sockets from the shell, benchmarks, wire dumps (pure TypeScript ZMTP 3.x)",
  )
  .version(VERSION, "-V, --version", "print the version and exit")
  .showHelpAfterError();

await program.parseAsync(process.argv);
