export { createVault, keyIdOf, type SealContext, type Vault } from './vault.js';
export { loadMasterKey, type MasterKeySource } from './master-key.js';
