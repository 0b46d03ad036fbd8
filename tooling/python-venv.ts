import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../services/commons/errors.ts';
import { REPO_ROOT } from './paths.ts';

/** The project's own Python environment: gitignored like the rest of `.cache/`. */
export const VENV_DIR = join(REPO_ROOT, '.cache', 'venv');

/** A tool the machine lacks and the project cannot install itself; retrying does not help. */
export class MissingPrerequisiteError extends AppError {
  readonly code: string = 'MISSING_PREREQUISITE';
}

/** A Python console tool from PyPI, pinned. */
export interface PythonToolSpec {
  /** The PyPI package, e.g. `cfn-lint`. */
  readonly package: string;
  /** The exact version installed (`package==version`). */
  readonly version: string;
  /** The console script the package installs, e.g. `cfn-lint`. */
  readonly bin: string;
}

const run = (command: string, args: readonly string[]) =>
  spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The installed version of `pkg` in the venv, or undefined when it is not installed. */
const installedVersion = (python: string, pkg: string): string | undefined => {
  const probe = run(python, [
    '-c',
    'import sys, importlib.metadata as m\ntry: print(m.version(sys.argv[1]))\nexcept m.PackageNotFoundError: pass',
    pkg,
  ]);
  const version = probe.status === 0 ? probe.stdout.trim() : '';
  return version === '' ? undefined : version;
};

/**
 * Makes a pinned Python tool available in the project's venv (`.cache/venv`): creates the venv
 * with `python3 -m venv` when it is missing, pip-installs `package==version` when the binary
 * is missing or another version is installed. Idempotent and quick when nothing changed.
 *
 * @returns the absolute path of `.cache/venv/bin/<bin>`.
 * @throws {MissingPrerequisiteError} naming Python 3 when python3 or its venv module is missing,
 *   or naming the package when pip cannot install it.
 */
export const ensurePythonTool = (spec: PythonToolSpec): string => {
  const python = join(VENV_DIR, 'bin', 'python');
  const bin = join(VENV_DIR, 'bin', spec.bin);
  if (!existsSync(python)) {
    const created = run('python3', ['-m', 'venv', VENV_DIR]);
    if (created.error !== undefined || created.status !== 0) {
      throw new MissingPrerequisiteError(
        `Python 3 with its venv module is needed to install ${spec.package} into ${VENV_DIR}: install python3 and python3-venv (e.g. apt-get install python3 python3-venv). python3 -m venv said: ${created.error?.message ?? created.stderr.trim()}`,
        { cause: created.error },
      );
    }
  }
  if (existsSync(bin) && installedVersion(python, spec.package) === spec.version) return bin;
  const pip = run(python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    `${spec.package}==${spec.version}`,
  ]);
  if (pip.status !== 0 || !existsSync(bin)) {
    throw new MissingPrerequisiteError(
      `pip could not install ${spec.package}==${spec.version} into ${VENV_DIR} (PyPI must be reachable): ${pip.error?.message ?? pip.stderr.trim()}`,
      { cause: pip.error },
    );
  }
  return bin;
};
