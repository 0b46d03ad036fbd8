/** Base class of the dashboard's errors. */
export class DashboardError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DashboardError';
  }
}

/** A setting is missing or malformed; the message names the variable or flag to fix. */
export class DashboardConfigError extends DashboardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DashboardConfigError';
  }
}

/** The page's assets could not be bundled (a syntax error in dashboard/web, a missing package). */
export class AssetBuildError extends DashboardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AssetBuildError';
  }
}

/** The dashboard's server could not listen (the port is taken, or not allowed). */
export class ServerStartError extends DashboardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ServerStartError';
  }
}
