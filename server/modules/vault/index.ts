export { createVault, keyIdOf, sealedKeyId, sealedPrefix, type SealContext, type Vault } from './vault.js';
export { loadMasterKey, readKeyFile, writeKeyFile, type MasterKeySource } from './master-key.js';
export { opensCheck, VAULT_CHECK } from './vault-check.js';
export { learnRotation, learnStoredRotation, parseRecord, ROTATION_KEY, startRecord, type RotationRecord } from './rotation-record.js';
