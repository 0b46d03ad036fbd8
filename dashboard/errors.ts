import { AppError } from '../services/commons/errors.ts';

/** Base class of the dashboard's errors. */
export class DashboardError extends AppError {
  readonly code: string = 'DASHBOARD';
}

/** A setting is missing or malformed; the message names the variable or flag to fix. */
export class DashboardConfigError extends DashboardError {
  override readonly code: string = 'DASHBOARD_CONFIG';
}

/** The page's assets could not be bundled (a syntax error in dashboard/web, a missing package). */
export class AssetBuildError extends DashboardError {
  override readonly code: string = 'ASSET_BUILD';
}

/** The dashboard's server could not listen (the port is taken, or not allowed). */
export class ServerStartError extends DashboardError {
  override readonly code: string = 'SERVER_START';
}
