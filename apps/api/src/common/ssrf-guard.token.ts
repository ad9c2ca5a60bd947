/** Injection token: the api's SsrfGuard, built from config.dispatcher.ssrfAllowCidrs. */
export const API_SSRF_GUARD = Symbol('API_SSRF_GUARD');
