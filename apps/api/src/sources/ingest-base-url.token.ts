/** Injection token: the public base of ingest URLs, `${config.api.publicUrl}/ingest`. */
export const INGEST_BASE_URL = Symbol('INGEST_BASE_URL');
