import { fileURLToPath } from 'node:url';

/** The repository's root folder: the tools keep their state under `.cache/` there. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
