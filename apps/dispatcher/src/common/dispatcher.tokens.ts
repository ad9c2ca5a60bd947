/** Injection token of CaravanConfig['dispatcher'] (DispatcherSettings). */
export const DISPATCHER_SETTINGS = Symbol('DISPATCHER_SETTINGS');

/** Injection token of the whole service's graceful-shutdown bound, in ms. */
export const SHUTDOWN_TIMEOUT_MS = Symbol('SHUTDOWN_TIMEOUT_MS');

/** Sent as `User-Agent: Caravan/<version>` on every delivery. */
export const CARAVAN_VERSION = '0.1.0';
export const USER_AGENT = `Caravan/${CARAVAN_VERSION}`;
