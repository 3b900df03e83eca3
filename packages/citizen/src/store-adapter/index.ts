export { citizenRecordsFromStore, auditStoreFromRecordStore, recordProxyAuthority, proxyAuthorityToRelatedPerson, proxyAuthorityFromRelatedPerson, PROXY_AUTHORITY_EXTENSION } from './store-adapter.js';
export type { StoreAdapterOptions } from './store-adapter.js';
