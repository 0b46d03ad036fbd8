import { spawn } from 'node:child_process';
import { CommandFailedError } from './errors.ts';

/**
 * Runs a command with the terminal attached (its output is the user's progress report) and
 * resolves when it exits with 0.
 *
 * @throws {CommandFailedError} on any other exit.
 */
export const runCommand = (
  command: string,
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string } = {},
): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      stdio: 'inherit',
      env: options.env ?? process.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    child.once('error', (error) => reject(new CommandFailedError(command, null, { cause: error })));
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new CommandFailedError(`${command} ${args[0] ?? ''}`.trim(), code));
    });
  });
