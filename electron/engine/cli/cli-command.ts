/**
 * The command class every `deepcorrect` command is made of: commander's, with its parse errors made short and
 * precise. An unknown option is refused before commander looks for missing required ones (which would blame a
 * required option the user did type, misspelt), with the closest real option, and any parse error ends with
 * one line pointing at --help instead of the whole help.
 */
import { Command, type ErrorOptions, type ParseOptionsResult } from 'commander';
import { suggestionFor } from './suggest-option.ts';

const HELP_FLAGS = new Set(['--help', '-h']);

export class CliCommand extends Command {
  override createCommand(name?: string): CliCommand {
    return new CliCommand(name);
  }

  override parseOptions(argv: string[]): ParseOptionsResult {
    const result = super.parseOptions(argv);
    const first = result.unknown[0];
    const helpAsked = result.unknown.some((arg) => HELP_FLAGS.has(arg));
    if (first !== undefined && first.startsWith('-') && first !== '-' && !helpAsked) {
      // A leaf command's parse sees every argument left to it. A command with subcommands passes what it does
      // not know on to the subcommand named first; below the root it sees only that remainder, so commander's
      // own check (after dispatching) stays in charge there.
      if (this.commands.length === 0) this.unknownOptionError(first);
      else if (this.parent === null && !this.dispatches(result.operands[0])) this.unknownOptionError(first);
    }
    return result;
  }

  override error(message: string, errorOptions?: ErrorOptions): never {
    const own = this.options.some((o) => o.long !== '--help');
    const what =
      this.commands.length === 0
        ? 'its options'
        : own && this.parent !== null
          ? 'its options and commands'
          : 'its commands';
    this.showHelpAfterError(`run '${this.path()} --help' for ${what}`);
    // Commander's own messages start "error: " and put a suggestion on a line of its own ("unknown command
    // 'evalute'\n(Did you mean evaluate?)"); every message here reads as the command's runtime errors do.
    const text = message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)');
    return super.error(`deepcorrect: ${text}`, errorOptions);
  }

  /** The command as typed to reach it: "deepcorrect dataset info". */
  path(): string {
    return [this, ...this.ancestors()]
      .map((c) => c.name())
      .reverse()
      .join(' ');
  }

  private ancestors(): Command[] {
    const found: Command[] = [];
    for (let c = this.parent; c !== null; c = c.parent) found.push(c);
    return found;
  }

  private dispatches(operand: string | undefined): boolean {
    if (operand === undefined || this.commands.length === 0) return false;
    return (
      operand === 'help' || this.commands.some((c) => c.name() === operand || c.aliases().includes(operand))
    );
  }

  private unknownOptionError(flag: string): never {
    const candidates = ['--help'];
    for (const c of [this, ...this.ancestors()])
      for (const option of c.options) if (option.long !== undefined) candidates.push(option.long);
    const name = flag.replace(/=.*$/, '');
    const suggestion = name.startsWith('--') ? suggestionFor(name, candidates) : '';
    return this.error(`unknown option '${name}'${suggestion}`, {
      code: 'commander.unknownOption',
    });
  }
}
