/** Injection token of the ingester's validated settings (CaravanConfig['ingester']). */
export const INGESTER_SETTINGS = Symbol('INGESTER_SETTINGS');
